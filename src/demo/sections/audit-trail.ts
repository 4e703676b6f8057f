import { readAuditLog } from "../../audit/audit-log.js";
import type { DemoSection } from "../demo-env.js";

export const auditTrailSection: DemoSection = async (env) => {
  env.section("Audit trail and signed webhooks");
  const received = env.receiver.received;
  const verified = received.filter((r) => r.verified).length;
  env.ok(`${received.length} webhook events received, ${verified} with a valid Standard Webhooks signature`);
  const byType = new Map<string, number>();
  for (const r of received) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  env.say(`  ${[...byType].map(([type, count]) => `${type} × ${count}`).join(", ")}`);
  const { records, problems } = await readAuditLog(env.auditPath);
  env.ok(
    `${records.length} audit lines in ${env.auditPath}${problems.length ? ` (${problems.length} unreadable)` : ""}`,
  );
  // A summary per operation, in the order first seen: `cxda audit` shows the lines themselves.
  const byOperation = new Map<string, Map<string, number>>();
  for (const r of records) {
    const outcomes = byOperation.get(r.operation) ?? new Map<string, number>();
    outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    byOperation.set(r.operation, outcomes);
  }
  for (const [operation, outcomes] of byOperation)
    env.say(`  ${operation.padEnd(22)} ${[...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(", ")}`);
  env.say("  (cxda audit prints each line of a log; --outcome failure only the failures)");
};
