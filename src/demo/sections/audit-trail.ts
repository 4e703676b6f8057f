import { readAuditLog } from "../../audit/audit-log.js";
import type { DemoSection } from "../demo-env.js";

export const auditTrailSection: DemoSection = async (env) => {
  env.section("Audit trail and signed webhooks");
  const received = env.receiver.received;
  const verified = received.filter((r) => r.verified).length;
  env.ok(`${received.length} webhook events received, ${verified} with a valid Standard Webhooks signature`);
  const byType = new Map<string, number>();
  for (const r of received) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  for (const [type, count] of byType) env.say(`  ${type} × ${count}`);
  const { records, problems } = await readAuditLog(env.auditPath);
  env.ok(
    `${records.length} audit lines in ${env.auditPath}${problems.length ? ` (${problems.length} unreadable)` : ""}`,
  );
  for (const r of records) {
    const target = r.target?.name ?? r.target?.id ?? "-";
    const hook =
      r.webhook && "delivered" in r.webhook ? (r.webhook.delivered ? "webhook ✓" : "webhook ✗") : "";
    env.say(
      `  ${r.timestamp}  ${r.operation.padEnd(20)} ${target.padEnd(22)} ${r.outcome.padEnd(7)} ${String(r.status ?? "").padEnd(3)} ${String(r.latencyMs).padStart(4)} ms  ${hook}`,
    );
  }
};
