/**
 * The audit trail (issue 3 part 1): one JSON line per mutating operation, appended
 * durably, never holding a secret value (every record passes through the redactor first). A new log
 * is created 0600.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PRIVATE_FILE_MODE } from "../files/private-files.js";
import { defaultRedactor, type Redactor } from "./redactor.js";

export type WebhookAuditOutcome =
  | { delivered: boolean; attempts: number; status?: number; error?: string }
  | { skipped: true };

export interface AuditRecord {
  /** ISO 8601 UTC with milliseconds. */
  timestamp: string;
  /** Client id of the caller. */
  actor: string;
  /** `<group>.<verb>`: "actions.create", "headers.set", "variables.set", "overrides.set", … */
  operation: string;
  target?: { id?: string; name?: string };
  environment?: string;
  outcome: "success" | "failure";
  status?: number;
  /** Problem slug on failure. */
  problem?: string;
  /** Redacted error message on failure. */
  error?: string;
  attempts?: number;
  latencyMs: number;
  requestId?: string;
  idempotencyKey?: string;
  counts?: Record<string, number>;
  names?: Record<string, string[]>;
  details?: Record<string, unknown>;
  webhook?: WebhookAuditOutcome;
}

export interface AuditLogOptions {
  redactor?: Redactor;
  /** fsync after every line (default false: the OS flushes; a crash can at most tear the last line). */
  fsync?: boolean;
}

export class AuditLog {
  readonly path: string;
  private readonly redactor: Redactor;
  private readonly fsync: boolean;

  constructor(filePath: string, options: AuditLogOptions = {}) {
    this.path = path.resolve(filePath);
    this.redactor = options.redactor ?? defaultRedactor;
    this.fsync = options.fsync ?? false;
  }

  /**
   * Appends one redacted JSON line. Synchronous and a single write on an O_APPEND descriptor, so
   * concurrent operations of one process never interleave. If a previous crash tore the last line
   * (no trailing "\n"), the new line starts with "\n" so the fragment stays on its own line.
   */
  append(record: AuditRecord): void {
    const line = `${JSON.stringify(this.redactor.redact(record))}\n`;
    const fd = fs.openSync(this.path, "a+", PRIVATE_FILE_MODE);
    try {
      const size = fs.fstatSync(fd).size;
      let text = line;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) text = `\n${line}`;
      }
      const bytes = Buffer.from(text, "utf8");
      let written = fs.writeSync(fd, bytes, 0, bytes.length);
      // A regular file takes the whole buffer in one call; the loop only guards against short writes.
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      if (this.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

export type AuditPathCheck = { ok: true } | { ok: false; message: string };

/** Checks, before any write, that the audit log can be appended to (the CLI maps a failure to exit 65). */
export function checkAuditPath(filePath: string): AuditPathCheck {
  const resolved = path.resolve(filePath);
  const where = `audit log path "${filePath}"`;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(resolved);
  } catch {
    stat = undefined;
  }
  if (stat) {
    if (stat.isDirectory()) {
      return {
        ok: false,
        message: `${where} is a directory; give a file path such as ${path.join(filePath, "cxda-audit.jsonl")}`,
      };
    }
    if (!stat.isFile())
      return { ok: false, message: `${where} is not a regular file; give a path to a .jsonl file` };
    try {
      fs.accessSync(resolved, fs.constants.W_OK);
    } catch {
      return {
        ok: false,
        message: `${where} is not writable; fix its permissions or choose another file with --audit-log`,
      };
    }
    return { ok: true };
  }
  const dir = path.dirname(resolved);
  let dirStat: fs.Stats | undefined;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    return {
      ok: false,
      message: `${where}: directory "${dir}" does not exist; create it or choose another path with --audit-log`,
    };
  }
  if (!dirStat.isDirectory())
    return {
      ok: false,
      message: `${where}: "${dir}" is not a directory; choose another path with --audit-log`,
    };
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return {
      ok: false,
      message: `${where}: directory "${dir}" is not writable; fix its permissions or choose another path with --audit-log`,
    };
  }
  return { ok: true };
}

export interface AuditReadProblem {
  /** 1-based line number in the file (0 when the file itself cannot be read). */
  line: number;
  message: string;
  /** True for an unterminated last line: a write that was interrupted. */
  torn?: boolean;
}

export interface AuditReadResult {
  records: AuditRecord[];
  problems: AuditReadProblem[];
}

function isAuditRecord(value: unknown): value is AuditRecord {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.timestamp === "string" &&
    typeof r.operation === "string" &&
    (r.outcome === "success" || r.outcome === "failure")
  );
}

/** Parses the text of an audit log; a torn or corrupt line is reported with its number and skipped. */
export function parseAuditLog(text: string): AuditReadResult {
  const records: AuditRecord[] = [];
  const problems: AuditReadProblem[] = [];
  const lines = text.split("\n");
  const terminated = text.endsWith("\n");
  lines.forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    const isLast = index === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (isLast && !terminated) {
        problems.push({
          line: index + 1,
          torn: true,
          message: `torn last line (no trailing newline, the write was interrupted); it was skipped`,
        });
      } else {
        problems.push({
          line: index + 1,
          message: `not valid JSON; the line was skipped`,
        });
      }
      return;
    }
    if (!isAuditRecord(parsed)) {
      problems.push({
        line: index + 1,
        message: `not an audit record (needs string timestamp and operation, outcome success|failure); skipped`,
      });
      return;
    }
    records.push(parsed);
  });
  return { records, problems };
}

/** Reads an audit log file. A missing or unreadable file gives no records and one problem on line 0. */
export function readAuditLog(filePath: string): AuditReadResult {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : "cannot be read";
    return { records: [], problems: [{ line: 0, message: `audit log "${filePath}" ${reason}` }] };
  }
  return parseAuditLog(text);
}

export interface AuditFilter {
  /** ISO 8601 instant, or relative to now: "30s", "15m", "1h", "2d", "1w". */
  since?: string | Date;
  /** Exact operation ("headers.set"), or a group ("headers" or "headers.*"). */
  operation?: string;
  /** Matches the target's id or name exactly. */
  target?: string;
  outcome?: "success" | "failure";
}

const RELATIVE = /^(\d+)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a `--since` value: an ISO 8601 instant or a relative duration back from `now`. */
export function parseSince(
  value: string | Date,
  now: Date = new Date(),
): { ok: true; date: Date } | { ok: false; message: string } {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? { ok: false, message: "since: invalid date" }
      : { ok: true, date: value };
  }
  const relative = RELATIVE.exec(value.trim());
  if (relative) {
    const ms = Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
    return { ok: true, date: new Date(now.getTime() - ms) };
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const date = new Date(value.trim());
    if (!Number.isNaN(date.getTime())) return { ok: true, date };
  }
  return {
    ok: false,
    message: `since: "${value}" is neither an ISO 8601 date-time (2024-05-01T12:00:00Z) nor a duration like 30m, 1h, 2d`,
  };
}

function operationMatches(operation: string, wanted: string): boolean {
  if (operation === wanted) return true;
  const group = wanted.endsWith(".*") ? wanted.slice(0, -2) : wanted.includes(".") ? null : wanted;
  return group !== null && operation.startsWith(`${group}.`);
}

/** Pure filter over audit records. Throws a RangeError when `since` cannot be parsed (use parseSince first). */
export function filterAuditRecords(
  records: AuditRecord[],
  filter: AuditFilter,
  now: Date = new Date(),
): AuditRecord[] {
  let sinceMs: number | undefined;
  if (filter.since !== undefined) {
    const since = parseSince(filter.since, now);
    if (!since.ok) throw new RangeError(since.message);
    sinceMs = since.date.getTime();
  }
  return records.filter((r) => {
    if (sinceMs !== undefined) {
      const at = Date.parse(r.timestamp);
      if (Number.isNaN(at) || at < sinceMs) return false;
    }
    if (filter.operation !== undefined && !operationMatches(r.operation, filter.operation)) return false;
    if (filter.target !== undefined && r.target?.id !== filter.target && r.target?.name !== filter.target)
      return false;
    if (filter.outcome !== undefined && r.outcome !== filter.outcome) return false;
    return true;
  });
}

function webhookCell(webhook: WebhookAuditOutcome | undefined): string {
  if (webhook === undefined) return "-";
  if ("skipped" in webhook) return "skipped";
  if (webhook.delivered) return `ok(${webhook.attempts})`;
  return `FAILED(${webhook.attempts}${webhook.status === undefined ? "" : `,${webhook.status}`})`;
}

function fitCell(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

/** A readable fixed-width table, one row per record (plain text, no colors). */
export function formatAuditTable(records: AuditRecord[]): string {
  if (records.length === 0) return "No audit records.";
  const columns: { title: string; width: number; cell: (r: AuditRecord) => string }[] = [
    { title: "TIME (UTC)", width: 24, cell: (r) => r.timestamp },
    { title: "OPERATION", width: 20, cell: (r) => r.operation },
    { title: "TARGET", width: 28, cell: (r) => r.target?.name ?? r.target?.id ?? "-" },
    { title: "ENV", width: 8, cell: (r) => r.environment ?? "-" },
    { title: "OUTCOME", width: 7, cell: (r) => r.outcome },
    { title: "STATUS", width: 6, cell: (r) => (r.status === undefined ? "-" : String(r.status)) },
    { title: "TRIES", width: 5, cell: (r) => (r.attempts === undefined ? "-" : String(r.attempts)) },
    { title: "LATENCY", width: 8, cell: (r) => `${Math.round(r.latencyMs)}ms` },
    { title: "WEBHOOK", width: 12, cell: (r) => webhookCell(r.webhook) },
    { title: "PROBLEM", width: 24, cell: (r) => r.problem ?? "" },
  ];
  const row = (cells: string[]) =>
    cells
      .map((c, i) => fitCell(c, columns[i]!.width))
      .join("  ")
      .trimEnd();
  const lines = [row(columns.map((c) => c.title)), row(columns.map((c) => "-".repeat(c.width)))];
  for (const r of records) lines.push(row(columns.map((c) => c.cell(r))));
  return lines.join("\n");
}

export const DEFAULT_AUDIT_PATH = "./cxda-audit.jsonl";

/** Audit log path: `--audit-log` flag ▸ `CXDA_AUDIT_LOG` ▸ `./cxda-audit.jsonl`. */
export function resolveAuditPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== "") return flag;
  const fromEnv = env.CXDA_AUDIT_LOG;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return DEFAULT_AUDIT_PATH;
}
