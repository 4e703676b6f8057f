/** `cxda audit`: read and filter the audit log. */
import { z } from "zod";
import { bind, defineCommand, flag } from "../../command.js";

export const spec = defineCommand({
  name: "audit",
  options: z.object({
    file: flag(
      z.string().optional(),
      "audit log to read (default: --audit-log, CXDA_AUDIT_LOG or ./cxda-audit.jsonl)",
      { value: "<path>" },
    ),
    since: flag(
      z.string().optional(),
      "only records at or after this time: ISO 8601 (2026-01-01T00:00:00Z) or back from now (30s, 15m, 1h, 2d, 1w)",
      { value: "<time>" },
    ),
    operation: flag(z.string().optional(), "only this operation, e.g. actions.delete", { value: "<op>" }),
    target: flag(z.string().optional(), "only this action name or id", { value: "<ref>" }),
    outcome: flag(z.enum(["success", "failure"]).optional(), "only successes or failures", {
      value: "<outcome>",
    }),
  }),
  examples: ["cxda audit", "cxda audit --outcome failure --since 2026-01-01T00:00:00Z --json"],
});

export const audit = bind(spec, () => import("./audit.js"));
