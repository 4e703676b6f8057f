import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ValidationError } from "../../../errors.js";
import type { Handler } from "../../command.js";
import type { spec } from "./index.js";

export const run: Handler<typeof spec> = async (ctx, { options }) => {
  const { readAuditLog, filterAuditRecords, formatAuditTable, parseSince } = await import(
    "../../../audit/audit-log.js"
  );
  const file = options.file ?? ctx.settings().auditLog;
  const { since, operation, target, outcome } = options;
  if (since !== undefined) {
    const parsed = parseSince(since);
    if (!parsed.ok) throw new ValidationError(`--since: ${parsed.message}`);
  }
  if (!existsSync(file)) {
    const where =
      options.file !== undefined ? "--file" : "the audit log setting (default ./cxda-audit.jsonl)";
    const message = `no audit log at ${resolve(file)} (from ${where}); commands that change something write one there, or point to another with --file FILE, --audit-log FILE or CXDA_AUDIT_LOG=FILE`;
    if (ctx.out.json) ctx.out.result({ file, count: 0, records: [], problems: [{ line: 0, message }] });
    else ctx.out.info(message);
    return 0;
  }
  const { records, problems } = await readAuditLog(file);
  const filtered = filterAuditRecords(records, {
    ...(since !== undefined ? { since } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(outcome !== undefined ? { outcome } : {}),
  });
  for (const p of problems) ctx.out.warn(`${file}:${p.line}: ${p.message}`);
  if (ctx.out.json) {
    ctx.out.result({ file, count: filtered.length, records: filtered, problems });
    return 0;
  }
  ctx.out.line(filtered.length === 0 ? `no matching records in ${file}` : formatAuditTable(filtered));
  return 0;
};
