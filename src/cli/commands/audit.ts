import { ValidationError } from "../../errors.js";
import type { CommandHandler } from "../program.js";

export const audit: CommandHandler = async (ctx, _args, options) => {
  const { readAuditLog, filterAuditRecords, formatAuditTable, parseSince } = await import(
    "../../audit/audit-log.js"
  );
  const file = typeof options.file === "string" ? options.file : ctx.settings().auditLog;
  const since = typeof options.since === "string" ? options.since : undefined;
  if (since !== undefined) {
    const parsed = parseSince(since);
    if (!parsed.ok) throw new ValidationError(`--since: ${parsed.message}`);
  }
  const { records, problems } = await readAuditLog(file);
  const filtered = filterAuditRecords(records, {
    ...(since !== undefined ? { since } : {}),
    ...(typeof options.operation === "string" ? { operation: options.operation } : {}),
    ...(typeof options.target === "string" ? { target: options.target } : {}),
    ...(options.outcome === "success" || options.outcome === "failure" ? { outcome: options.outcome } : {}),
  });
  for (const p of problems) ctx.out.warn(`${file}:${p.line}: ${p.message}`);
  if (ctx.out.json) {
    ctx.out.result({ file, total: filtered.length, records: filtered, problems });
    return 0;
  }
  ctx.out.line(filtered.length === 0 ? `no matching records in ${file}` : formatAuditTable(filtered));
  return 0;
};
