import { examples, type RegisterGroup } from "../program.js";

export const registerOverrides: RegisterGroup = (program, run) => {
  const overrides = program
    .command("overrides")
    .description("per-environment variable overrides (dev, staging, prod, …)");
  overrides
    .command("get")
    .description("show the overrides of an action in one environment (masked values as ***)")
    .argument("<ref>", "action name or id")
    .requiredOption("--env <id>", "environment id")
    .addHelpText(
      "after",
      examples(
        "cxda overrides get lead_enrichment_v2 --env prod",
        "cxda overrides get lead_enrichment_v2 --env dev --json",
      ),
    )
    .action(run(async () => (await import("../commands/overrides.js")).overridesGet));
  overrides
    .command("set")
    .description("upsert overrides from a YAML/JSON file (--replace: make the set exactly the file)")
    .argument("<ref>", "action name or id")
    .requiredOption("--env <id>", "environment id")
    .requiredOption(
      "-f, --file <path>",
      "YAML or JSON: a list of {name, value, masked?, description?} or {variables: [...]}",
    )
    .option("--replace", "replace the whole set instead of upserting by name")
    .option("--baseline <id>", "also report the drift from this environment after the write")
    .option("--wait", "wait for the build a buildOnChange environment starts")
    .addHelpText(
      "after",
      examples(
        "cxda overrides set lead_enrichment_v2 --env staging -f overrides.yaml",
        "cxda overrides set lead_enrichment_v2 --env prod -f prod.yaml --replace --baseline staging",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax is shown literally
        "# overrides.yaml:  - {name: API_KEY, value: '${env:API_KEY}', masked: true}",
      ),
    )
    .action(run(async () => (await import("../commands/overrides.js")).overridesSet));
  overrides
    .command("unset")
    .description("remove overrides by name (names not set are ignored)")
    .argument("<ref>", "action name or id")
    .argument("<names...>", "override names")
    .requiredOption("--env <id>", "environment id")
    .addHelpText("after", examples("cxda overrides unset lead_enrichment_v2 --env dev DEBUG TRACE_ID"))
    .action(run(async () => (await import("../commands/overrides.js")).overridesUnset));
  overrides
    .command("validate")
    .description("check an overrides file offline (every problem, with file:line:column)")
    .requiredOption("-f, --file <path>", "YAML or JSON overrides file")
    .addHelpText(
      "after",
      examples("cxda overrides validate -f overrides.yaml", "cxda overrides validate -f prod.json --json"),
    )
    .action(run(async () => (await import("../commands/overrides.js")).overridesValidate));
  overrides
    .command("resolve")
    .description(
      "the effective variables of an action in an environment, with the source of each (override ▸ action ▸ global)",
    )
    .argument("<ref>", "action name or id")
    .requiredOption("--env <id>", "environment id")
    .addHelpText("after", examples("cxda overrides resolve lead_enrichment_v2 --env prod"))
    .action(run(async () => (await import("../commands/overrides.js")).overridesResolve));
};
