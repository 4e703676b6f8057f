import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CxdaEvent, createClient, NotFoundError, ValidationError } from "../../src/index.js";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";

let emulator: Emulator;
useTestEmulator(
  {},
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;

describe("SDK createClient", () => {
  it("binds workflows and writes one audit line per mutating operation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cxda-sdk-"));
    const events: CxdaEvent[] = [];
    const cxda = createClient({
      baseUrl: emulator.url,
      auth,
      auditLog: join(dir, "audit.jsonl"),
      onEvent: (e) => {
        events.push(e);
      },
    });
    const created = await cxda.actions.create({
      name: "sdk_facade",
      type: "SCRIPT",
      script: { language: "JavaScript", content: "function main(c) { return c.input; }" },
    });
    expect((await cxda.getAction("sdk_facade")).id).toBe(created.body.id);
    expect((await cxda.listActions({ nameContains: "sdk_facade" })).map((a) => a.name)).toEqual([
      "sdk_facade",
    ]);
    await cxda.deleteAction("sdk_facade");
    await expect(cxda.deleteAction("sdk_facade")).rejects.toBeInstanceOf(NotFoundError);
    const lines = readFileSync(join(dir, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.operation, l.outcome])).toEqual([
      ["actions.delete", "success"],
      ["actions.delete", "failure"],
    ]);
    expect(lines[1].problem).toBe("not-found");
    expect(JSON.stringify(lines)).not.toContain("cxda-demo-secret");
    await cxda.close();
  });

  it("refuses an audit path in a missing directory before doing anything", () => {
    expect(() =>
      createClient({ baseUrl: emulator.url, auth, auditLog: join(tmpdir(), "no-such-dir-cxda", "a.jsonl") }),
    ).toThrow(ValidationError);
  });
});
