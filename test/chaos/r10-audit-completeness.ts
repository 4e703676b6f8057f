/**
 * R10: exactly one client audit line per mutating operation the emulator committed (R1–R5), matched
 * by Idempotency-Key for POSTs (a drop and its replay are one operation) and by request id otherwise.
 */
import { existsSync, readFileSync } from "node:fs";
import type { AuditRecord } from "../../src/audit/audit-log.js";
import { type ChaosRun, exactly, type Figure, info } from "./harness.js";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readAudit(path: string): AuditRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as AuditRecord);
}

export async function runR10(run: ChaosRun): Promise<Figure[]> {
  let committed = 0;
  let lines = 0;
  let missing = 0;
  let extra = 0;
  let doubled = 0;
  for (const { auditLog, requests } of run.requestLogs) {
    const ops = new Map<string, number>();
    for (const e of requests) {
      if (e.clientId !== "chaos-sdk" || !WRITES.has(e.method) || !e.path.startsWith("/api/v2/")) continue;
      if (e.status === null || e.status < 200 || e.status >= 300) continue;
      const id = e.method === "POST" && e.idempotencyKey ? `key:${e.idempotencyKey}` : `req:${e.requestId}`;
      ops.set(id, 0);
    }
    const successes = readAudit(auditLog).filter((r) => r.outcome === "success" && r.actor === "chaos-sdk");
    for (const record of successes) {
      const id = ops.has(`key:${record.idempotencyKey}`)
        ? `key:${record.idempotencyKey}`
        : `req:${record.requestId}`;
      const seen = ops.get(id);
      if (seen === undefined) extra += 1;
      else ops.set(id, seen + 1);
    }
    committed += ops.size;
    lines += successes.length;
    for (const n of ops.values()) {
      if (n === 0) missing += 1;
      if (n > 1) doubled += 1;
    }
  }
  return [
    info("R10", "committed writes of the audited client", committed),
    info("R10", "success audit lines", lines),
    exactly("R10", "committed writes without an audit line", missing, 0),
    exactly("R10", "committed writes with more than one line", doubled, 0),
    exactly("R10", "audit lines without a committed write", extra, 0),
  ];
}
