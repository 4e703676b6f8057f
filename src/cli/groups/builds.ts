import { examples, type RegisterGroup } from "../program.js";

export const registerBuilds: RegisterGroup = (program, run) => {
  const builds = program.command("builds").description("builds of an action for an environment");
  builds
    .command("trigger")
    .description("queue a build (admin scope); --wait follows it to SUCCEEDED or FAILED")
    .argument("<ref>", "action name or id")
    .requiredOption("--env <id>", "environment id")
    .option("--wait", "wait until the build finishes (exit 1 when it fails)")
    .addHelpText("after", examples("cxda builds trigger lead_enrichment_v2 --env staging --wait"))
    .action(run(async () => (await import("../commands/builds.js")).buildsTrigger));
  builds
    .command("status")
    .description("show a build; a FAILED build exits 1 with its errors")
    .argument("<ref>", "action name or id")
    .argument("<build-id>", "the id printed by trigger")
    .addHelpText(
      "after",
      examples(
        "cxda builds status lead_enrichment_v2 6c1f…-…",
        "cxda builds status lead_enrichment_v2 6c1f…-… --json",
      ),
    )
    .action(run(async () => (await import("../commands/builds.js")).buildsStatus));
};
