import { examples, type RegisterGroup } from "../program.js";

export const registerDrift: RegisterGroup = (program, run) => {
  program
    .command("drift")
    .description("compare the overrides of two environments, for one action or the whole tenant")
    .argument("[ref]", "action name or id (default: every action)")
    .requiredOption("--baseline <id>", "the reference environment")
    .requiredOption("--target <id>", "the environment compared with it")
    .option("--detailed-exitcode", "exit 2 when there is drift (0 when none)")
    .addHelpText(
      "after",
      examples(
        "cxda drift --baseline staging --target prod",
        "cxda drift lead_enrichment_v2 --baseline staging --target prod --detailed-exitcode",
        "cxda drift --baseline dev --target staging --json",
      ),
    )
    .action(run(async () => (await import("../commands/drift.js")).drift));
};
