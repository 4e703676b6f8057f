/** The demo's date/time section runs on the embedded emulator and prints what issue 8 asks to show. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import { Output } from "../../src/cli/output.js";
import { runDemo } from "../../src/demo/demo.js";
import { auditTrailSection } from "../../src/demo/sections/audit-trail.js";
import { datetimeSection } from "../../src/demo/sections/datetime.js";

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe("demo: date/time section", () => {
  it("applies the documented example (docs/datetime.md), shows the stored value, the refused Z label and a DST change", async () => {
    const stdout = sink();
    const stderr = sink();
    const out = new Output({
      json: false,
      color: false,
      verbose: false,
      redactor: new Redactor(),
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    await runDemo(out, [datetimeSection, auditTrailSection]);
    // The demo wraps at 100 columns: read it with each wrapped line joined to the one before.
    const text = stdout.text().replace(/\n {4,}/g, " ");
    expect(text).toContain("→ 2024-02-29T12:30:00.000-05:00 (2024-02-29T17:30:00.000Z)");
    expect(text).toContain(
      'computedValue: "2024-02-29T12:30:00.000-05:00", computedUtc: "2024-02-29T17:30:00.000Z"',
    );
    expect(text).toMatch(/✘ the local time labelled Z, "2024-02-29T12:30:00.000Z", refused .*numeric offset/);
    expect(text).toContain("UTC offset -05:00 before, -04:00 after");
    expect(text).toMatch(/datetime\.applied × 1/);
    expect(text).toMatch(/1 audit lines in .*datetime\.apply\s+1 success/);
  });
});
