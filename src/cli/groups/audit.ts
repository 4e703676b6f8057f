import { Option } from "commander";
import { examples, type RegisterGroup } from "../program.js";

export const registerAudit: RegisterGroup = (program, run) => {
  program
    .command("audit")
    .description("read and filter the audit log")
    .option("--file <path>", "audit log to read (default: --audit-log, CXDA_AUDIT_LOG or ./cxda-audit.jsonl)")
    .option("--since <time>", "only records at or after this ISO 8601 time")
    .option("--operation <op>", "only this operation, e.g. actions.delete")
    .option("--target <ref>", "only this action name or id")
    .addOption(
      new Option("--outcome <outcome>", "only successes or failures").choices(["success", "failure"]),
    )
    .addHelpText(
      "after",
      examples("cxda audit", "cxda audit --outcome failure --since 2026-01-01T00:00:00Z --json"),
    )
    .action(run(async () => (await import("../commands/audit.js")).audit));
};
