/** Header edits through the SDK facade against the in-process emulator (issue 5). */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CxdaEvent, type CxdaSdk, createClient, ValidationError } from "../../src/index.js";
import type { HeadersSyncEvent } from "../../src/workflows/headers.js";
import { api, type Emulator, startTestEmulator } from "../emulator/helpers.js";

let emulator: Emulator;
let cxda: CxdaSdk;
let auditPath: string;
let events: CxdaEvent[];
const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
  await cxda?.close();
  auditPath = join(mkdtempSync(join(tmpdir(), "cxda-headers-")), "audit.jsonl");
  events = [];
  cxda = createClient({
    baseUrl: emulator.url,
    auth,
    auditLog: auditPath,
    onEvent: (e) => {
      events.push(e);
    },
  });
});

async function httpAction(name: string, headers: Record<string, string> = {}) {
  const res = await cxda.actions.create({
    name,
    type: "HTTP",
    config: { request: { method: "GET", urlTemplate: "https://crm.example.com/contacts/{id}" }, headers },
  });
  return res.body;
}

function auditLines(): Record<string, unknown>[] {
  return readFileSync(auditPath, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function writesSeen(): Promise<string[]> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  return (log.body.requests as { method: string; path: string }[])
    .filter((r) => r.method !== "GET" && r.path.startsWith("/api/"))
    .map((r) => `${r.method} ${r.path}`);
}

const SECRET = "Bearer sk-live-7f3a9c2e11d04b5a";

describe("setHeaders / unsetHeaders / replaceHeaders", () => {
  it("set adds and changes headers, keeps the others, and reports names and bytes", async () => {
    await httpAction("crm_lookup", { "X-Source": "cxda", "x-trace": "off" });
    const synced: HeadersSyncEvent[] = [];
    const r = await cxda.setHeaders(
      "crm_lookup",
      { Authorization: SECRET, "X-Trace": "on" },
      { onSync: (e) => void synced.push(e) },
    );
    expect(r.action.config.headers).toEqual({ "X-Source": "cxda", "X-Trace": "on", Authorization: SECRET });
    expect(r).toMatchObject({
      added: ["Authorization"],
      changed: ["X-Trace"],
      removed: [],
      bytesBefore: 8 + 4 + 2 + (7 + 3 + 2),
      attempts: 1,
      conflicts: 0,
      unchanged: false,
    });
    expect(r.bytesAfter).toBe(8 + 4 + 2 + (7 + 2 + 2) + (13 + SECRET.length + 2));
    expect(r.action.version).toBe(2);
    expect(synced).toEqual([
      {
        type: "headers.updated",
        operation: "headers.set",
        actionId: r.action.id,
        actionName: "crm_lookup",
        version: 2,
        added: ["Authorization"],
        changed: ["X-Trace"],
        removed: [],
        headerCount: 3,
        bytesBefore: r.bytesBefore,
        bytesAfter: r.bytesAfter,
      },
    ]);
  });

  it("writes one audit line and one headers.updated event with names and byte totals, never values", async () => {
    await httpAction("crm_audit", { "X-Old": "legacy-value-123" });
    await cxda.setHeaders("crm_audit", { Authorization: SECRET, "X-Api-Key": "k-99887766" });
    await cxda.unsetHeaders("crm_audit", ["x-old"]);
    const lines = auditLines();
    expect(lines.map((l) => [l.operation, l.outcome])).toEqual([
      ["headers.set", "success"],
      ["headers.unset", "success"],
    ]);
    expect(lines[0]).toMatchObject({
      status: 200,
      target: { name: "crm_audit" },
      names: { added: ["Authorization", "X-Api-Key"], changed: [], removed: [] },
      counts: { added: 2, changed: 0, removed: 0, headers: 3, conflicts: 0, writes: 1 },
    });
    expect(lines[1]).toMatchObject({ names: { removed: ["X-Old"] }, counts: { removed: 1, headers: 2 } });
    expect(events.map((e) => e.type)).toEqual(["headers.updated", "headers.updated"]);
    expect(events[0]!.data).toMatchObject({
      actionName: "crm_audit",
      set: ["Authorization", "X-Api-Key"],
      removed: [],
      headerCount: 3,
    });
    const everything = JSON.stringify([lines, events]);
    for (const value of [SECRET, "sk-live-7f3a9c2e11d04b5a", "k-99887766", "legacy-value-123"])
      expect(everything).not.toContain(value);
  });

  it("unset removes names in any case; unsetting absent names writes nothing", async () => {
    await httpAction("crm_unset", { "X-A": "1", "X-B": "2" });
    const r = await cxda.unsetHeaders("crm_unset", ["x-a"]);
    expect(r.action.config.headers).toEqual({ "X-B": "2" });
    expect(r.removed).toEqual(["X-A"]);
    const again = await cxda.unsetHeaders("crm_unset", ["X-Nope"]);
    expect(again).toMatchObject({ unchanged: true, attempts: 0, removed: [] });
    expect(again.action.version).toBe(2);
    expect(await writesSeen()).toHaveLength(2); // the create and one PATCH
    expect(auditLines()[1]).toMatchObject({ operation: "headers.unset", details: { unchanged: true } });
    expect(events).toHaveLength(1);
  });

  it("replace makes the matrix exactly the given one; a respelled name is replaced, not duplicated", async () => {
    await httpAction("crm_replace", { "x-tenant": "a", "X-Gone": "g" });
    const r = await cxda.replaceHeaders("crm_replace", { "X-Tenant": "a", "X-New": "n" });
    expect(r.action.config.headers).toEqual({ "X-Tenant": "a", "X-New": "n" });
    expect(r).toMatchObject({ added: ["X-New"], changed: ["X-Tenant"], removed: ["X-Gone"] });
    const cleared = await cxda.replaceHeaders("crm_replace", {});
    expect(cleared.action.config.headers).toEqual({});
    expect(cleared.bytesAfter).toBe(0);
  });

  it("accepts '=' inside a value (only names are restricted)", async () => {
    await httpAction("crm_equals");
    const r = await cxda.setHeaders("crm_equals", { "X-Filter": "a=b=c" });
    expect(r.action.config.headers).toEqual({ "X-Filter": "a=b=c" });
  });
});

describe("bad input is refused with every problem and nothing is written", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["a reserved name", { Host: "evil.example.com" }, /Header 'Host' is reserved by the integration engine/],
    [
      "CR/LF injection",
      { "X-A": "v\r\nX-Injected: 1" },
      /value of 'X-A' contains CR at position 2, LF at position 3/,
    ],
    ["a Unicode name", { "X-Grüße": "1" }, /Header name 'X-Grüße' must match/],
    ["an empty name", { "": "1" }, /Header name is empty/],
    [
      "a 100 KB value",
      { "X-Big": "a".repeat(100 * 1024) },
      /'X-Big' is 102\d\d\d bytes .* limit is 8192 bytes per header/,
    ],
    [
      "10 000 headers",
      Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`X-H${i}`, "v"])),
      /The 10000 headers add up to \d+ bytes .* limit is 8192 bytes/,
    ],
    [
      "names differing only in case",
      { "X-Dup": "1", "x-dup": "2" },
      /'X-Dup' and 'x-dup' are the same header/,
    ],
  ];
  for (const [what, headers, message] of cases) {
    it(`refuses ${what}`, async () => {
      const created = await httpAction("crm_bad", { "X-Keep": "1" });
      const error = await cxda.setHeaders("crm_bad", headers).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      const issues = (error as ValidationError).issues;
      expect(issues.map((i) => i.message).join("\n")).toMatch(message);
      expect((error as ValidationError).message).toMatch(/nothing was written/);
      expect(await writesSeen()).toEqual(["POST /api/v2/dataactions"]);
      const now = await cxda.actions.get(created.id);
      expect(now.body.version).toBe(1);
      expect(now.body.config.headers).toEqual({ "X-Keep": "1" });
      expect(auditLines()).toMatchObject([
        { operation: "headers.set", outcome: "failure", problem: "ValidationError" },
      ]);
      expect(events).toEqual([]);
    });
  }

  it("validates the RESULTING matrix: new headers that fit alone but overflow with the existing ones", async () => {
    await httpAction("crm_total", { "X-Existing": "e".repeat(5000) });
    const error = await cxda.setHeaders("crm_total", { "X-More": "m".repeat(4000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.message).toMatch(/The 2 headers add up to 9020 bytes/);
    expect(await writesSeen()).toEqual(["POST /api/v2/dataactions"]);
  });

  it("reports several problems of one edit at once", async () => {
    await httpAction("crm_many");
    const error = (await cxda
      .setHeaders("crm_many", { Host: "h", "X-A": " padded", "X-B": "nul\u0000" })
      .catch((e: unknown) => e)) as ValidationError;
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      "config.headers.Host",
      "config.headers.X-A",
      "config.headers.X-B",
    ]);
  });

  it("refuses unset names that cannot be header names, and an empty set", async () => {
    await httpAction("crm_names");
    const unset = (await cxda
      .unsetHeaders("crm_names", ["", "X-Ok", "Bad Name"])
      .catch((e) => e)) as ValidationError;
    expect(unset).toBeInstanceOf(ValidationError);
    expect(unset.issues.map((i) => i.path)).toEqual(["names[0]", "names[2]"]);
    const empty = (await cxda.setHeaders("crm_names", {}).catch((e) => e)) as ValidationError;
    expect(empty.issues[0]!.message).toMatch(/set needs at least one header/);
    expect(await writesSeen()).toEqual(["POST /api/v2/dataactions"]);
  });
});

describe("concurrent editors never lose each other's headers", () => {
  it("16 editors, each adding its own header to one action, all see their header in the final matrix", async () => {
    const action = await httpAction("crm_contended", { "X-Base": "1" });
    const editors = Array.from({ length: 16 }, () => createClient({ baseUrl: emulator.url, auth }));
    try {
      const results = await Promise.all(
        editors.map((editor, i) => editor.setHeaders("crm_contended", { [`X-Editor-${i}`]: `value-${i}` })),
      );
      const final = (await cxda.actions.get(action.id)).body;
      const expected: Record<string, string> = { "X-Base": "1" };
      for (let i = 0; i < 16; i++) expected[`X-Editor-${i}`] = `value-${i}`;
      expect(final.config.headers).toEqual(expected);
      expect(final.version).toBe(17);
      for (const [i, r] of results.entries()) expect(r.added).toEqual([`X-Editor-${i}`]);
      const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
      const writes = results.reduce((n, r) => n + r.attempts, 0);
      expect(writes).toBe(16 + conflicts);
      expect(conflicts).toBeGreaterThan(0);
    } finally {
      await Promise.all(editors.map((e) => e.close()));
    }
  });
});
