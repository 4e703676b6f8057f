/** The demo's declarative section: apply the example, no changes after, drift caught and fixed. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import { Output } from "../../src/cli/output.js";
import { runDemo } from "../../src/demo/demo.js";
import { auditTrailSection } from "../../src/demo/sections/audit-trail.js";
import { declarativeSection } from "../../src/demo/sections/declarative.js";

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

describe("demo: declarative section", () => {
  it("applies the example, re-plans to no changes, catches a header changed through the API", async () => {
    const stdout = sink();
    const stderr = sink();
    const redactor = new Redactor();
    const out = new Output({
      json: false,
      color: false,
      verbose: false,
      redactor,
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    await runDemo(out, [declarativeSection, auditTrailSection]);
    const text = stdout.text();
    expect(text).toContain("cxda validate: 6 actions, 6 variables");
    expect(text).toContain("cxda plan: Plan: 15 to create, 0 to update, 0 to delete.");
    expect(text).toMatch(/cxda apply: 15 created, 0 updated, 0 deleted in \d+ ms/);
    expect(text).toContain("re-plan: no changes, the tenant matches the file");
    expect(text).toContain(
      'plan catches the drift: update crm_lookup headers: headers.X-Source "edited-in-console" → "cxda"',
    );
    expect(text).toContain("cxda apply: 1 updated; re-plan: no changes");
    expect(text).toMatch(/cxda export: 6 actions read in 3 requests; 3 secrets written as placeholders/);
    // The demo secrets went to the redactor, and the audit trail shows the apply: one changeset.
    expect(text).not.toMatch(/crm_[0-9a-f]{24}|key_[0-9a-f]{24}|queue_[0-9a-f]{24}/);
    expect(text).toMatch(/project\.apply\s+2 success/);
    expect(text).toMatch(/deployment\.applied × 2/);
    expect(stderr.text()).toBe("");
  });
});
