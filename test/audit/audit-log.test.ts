import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuditLog,
  type AuditRecord,
  checkAuditPath,
  filterAuditRecords,
  formatAuditTable,
  parseSince,
  readAuditLog,
  resolveAuditPath,
} from "../../src/audit/audit-log.js";
import { REDACTED, Redactor } from "../../src/audit/redactor.js";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxda-audit-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    timestamp: "2024-05-01T12:00:00.000Z",
    actor: "cxda-demo",
    operation: "headers.set",
    target: { id: "a1", name: "lead_enrichment" },
    environment: "dev",
    outcome: "success",
    status: 200,
    attempts: 1,
    latencyMs: 12,
    ...overrides,
  };
}

describe("AuditLog.append", () => {
  it("writes one redacted JSON line per record", () => {
    const file = path.join(dir, "audit.jsonl");
    const redactor = new Redactor();
    redactor.register("super-secret-token");
    const log = new AuditLog(file, { redactor });
    log.append(record({ error: "refused super-secret-token", details: { client_secret: "x1234" } }));
    log.append(record({ operation: "actions.create" }));
    const text = fs.readFileSync(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as AuditRecord;
    expect(first.error).toBe(`refused ${REDACTED}`);
    expect(first.details).toEqual({ client_secret: REDACTED });
    expect(text).not.toContain("super-secret-token");
  });

  it("keeps a torn fragment left by a crash on its own line", () => {
    const file = path.join(dir, "audit.jsonl");
    fs.writeFileSync(file, `${JSON.stringify(record())}\n{"timestamp":"2024-05-01T12:0`);
    new AuditLog(file).append(record({ operation: "variables.set" }));
    const result = readAuditLog(file);
    expect(result.records.map((r) => r.operation)).toEqual(["headers.set", "variables.set"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.line).toBe(2);
  });

  it("never interleaves 200 concurrent appends", async () => {
    const file = path.join(dir, "audit.jsonl");
    const log = new AuditLog(file);
    const big = "x".repeat(5_000);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        Promise.resolve().then(() => log.append(record({ operation: `op.${i}`, details: { padding: big } }))),
      ),
    );
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(200);
    const ops = lines.map((l) => (JSON.parse(l) as AuditRecord).operation).sort();
    expect(new Set(ops).size).toBe(200);
    expect(readAuditLog(file).problems).toEqual([]);
  });
});

describe("readAuditLog", () => {
  it("survives a corrupt middle line and a torn last line, reporting line numbers", () => {
    const file = path.join(dir, "audit.jsonl");
    const good = JSON.stringify(record());
    fs.writeFileSync(
      file,
      `${good}\nnot json at all\n\n${JSON.stringify({ hello: 1 })}\n${good}\n{"timestamp":"20`,
    );
    const result = readAuditLog(file);
    expect(result.records).toHaveLength(2);
    expect(result.problems.map((p) => [p.line, p.torn === true])).toEqual([
      [2, false],
      [4, false],
      [6, true],
    ]);
    expect(result.problems[2]!.message).toMatch(/torn last line/);
  });

  it("reports a missing file as a problem instead of throwing", () => {
    const result = readAuditLog(path.join(dir, "missing.jsonl"));
    expect(result.records).toEqual([]);
    expect(result.problems[0]).toMatchObject({ line: 0 });
    expect(result.problems[0]!.message).toMatch(/does not exist/);
  });
});

describe("checkAuditPath", () => {
  it("accepts a new file in an existing directory and an existing file", () => {
    expect(checkAuditPath(path.join(dir, "new.jsonl"))).toEqual({ ok: true });
    const file = path.join(dir, "existing.jsonl");
    fs.writeFileSync(file, "");
    expect(checkAuditPath(file)).toEqual({ ok: true });
  });

  it("rejects a missing directory, a directory and a path under a file, without writing", () => {
    const missing = checkAuditPath(path.join(dir, "nope", "audit.jsonl"));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.message).toMatch(/does not exist/);
    expect(fs.existsSync(path.join(dir, "nope"))).toBe(false);

    const isDir = checkAuditPath(dir);
    expect(isDir.ok).toBe(false);
    if (!isDir.ok) expect(isDir.message).toMatch(/is a directory/);

    const file = path.join(dir, "plain");
    fs.writeFileSync(file, "");
    const underFile = checkAuditPath(path.join(file, "audit.jsonl"));
    expect(underFile.ok).toBe(false);
    if (!underFile.ok) expect(underFile.message).toMatch(/not a directory/);
  });

  it.skipIf(process.getuid?.() === 0)("rejects a directory that is not writable", () => {
    const ro = path.join(dir, "ro");
    fs.mkdirSync(ro, { mode: 0o555 });
    const result = checkAuditPath(path.join(ro, "audit.jsonl"));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/not writable/);
  });
});

describe("filterAuditRecords", () => {
  const records = [
    record({
      timestamp: "2024-05-01T10:00:00.000Z",
      operation: "actions.create",
      target: { id: "a1", name: "one" },
    }),
    record({
      timestamp: "2024-05-01T11:30:00.000Z",
      operation: "headers.set",
      target: { id: "a2", name: "two" },
    }),
    record({
      timestamp: "2024-05-01T11:50:00.000Z",
      operation: "headers.unset",
      outcome: "failure",
      status: 409,
      target: { id: "a3" },
    }),
  ];
  const now = new Date("2024-05-01T12:00:00.000Z");

  it("filters by since (ISO and relative), operation (exact or group), target and outcome", () => {
    const ops = (filter: Parameters<typeof filterAuditRecords>[1]) =>
      filterAuditRecords(records, filter, now).map((r) => r.operation);
    expect(ops({ since: "2024-05-01T11:00:00Z" })).toEqual(["headers.set", "headers.unset"]);
    expect(ops({ since: "1h" })).toEqual(["headers.set", "headers.unset"]);
    expect(ops({ since: "15m" })).toEqual(["headers.unset"]);
    expect(ops({ operation: "headers" })).toEqual(["headers.set", "headers.unset"]);
    expect(ops({ operation: "headers.*" })).toEqual(["headers.set", "headers.unset"]);
    expect(ops({ operation: "headers.set" })).toEqual(["headers.set"]);
    expect(ops({ target: "two" })).toEqual(["headers.set"]);
    expect(ops({ target: "a1" })).toEqual(["actions.create"]);
    expect(ops({ outcome: "failure" })).toEqual(["headers.unset"]);
    expect(ops({ operation: "headers", outcome: "success" })).toEqual(["headers.set"]);
  });

  it("rejects an unparseable since", () => {
    expect(parseSince("yesterday").ok).toBe(false);
    expect(() => filterAuditRecords(records, { since: "yesterday" }, now)).toThrow(RangeError);
  });
});

describe("formatAuditTable", () => {
  it("prints a header and one aligned row per record", () => {
    const table = formatAuditTable([
      record({ webhook: { delivered: true, attempts: 2, status: 200 } }),
      record({ outcome: "failure", status: 409, problem: "version-conflict", webhook: { skipped: true } }),
    ]);
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+OPERATION\s+TARGET/);
    expect(lines[2]).toContain("lead_enrichment");
    expect(lines[2]).toContain("ok(2)");
    expect(lines[3]).toContain("version-conflict");
    expect(lines[3]).toContain("skipped");
    expect(lines[2]!.indexOf("headers.set")).toBe(lines[0]!.indexOf("OPERATION"));
  });

  it("says so when there is nothing to show", () => {
    expect(formatAuditTable([])).toBe("No audit records.");
  });
});

describe("resolveAuditPath", () => {
  it("prefers the flag, then CXDA_AUDIT_LOG, then the default", () => {
    expect(resolveAuditPath("/x/flag.jsonl", { CXDA_AUDIT_LOG: "/x/env.jsonl" })).toBe("/x/flag.jsonl");
    expect(resolveAuditPath(undefined, { CXDA_AUDIT_LOG: "/x/env.jsonl" })).toBe("/x/env.jsonl");
    expect(resolveAuditPath(undefined, {})).toBe("./cxda-audit.jsonl");
  });
});
