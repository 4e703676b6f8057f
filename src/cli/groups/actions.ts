import { examples, type RegisterGroup } from "../program.js";

export const registerActions: RegisterGroup = (program, run) => {
  const actions = program.command("actions").description("Data Actions");
  actions
    .command("list")
    .description("list actions (all pages)")
    .option("--name-contains <text>", "only names containing this text")
    .addHelpText("after", examples("cxda actions list", "cxda actions list --name-contains lead --json"))
    .action(run(async () => (await import("../commands/actions.js")).actionsList));
  actions
    .command("get")
    .description("show one action")
    .argument("<ref>", "action name or id")
    .addHelpText("after", examples("cxda actions get lead_enrichment_v2", "cxda actions get 5f0c…-… --json"))
    .action(run(async () => (await import("../commands/actions.js")).actionsGet));
  actions
    .command("delete")
    .description("delete an action (refused while others depend on it)")
    .argument("<ref>", "action name or id")
    .addHelpText("after", examples("cxda actions delete old_action", "cxda actions delete old_action --json"))
    .action(run(async () => (await import("../commands/actions.js")).actionsDelete));
  actions
    .command("create")
    .description("create a SCRIPT action from a file, optionally running its test (exit 1 if the test fails)")
    .requiredOption("--name <name>", "action name: 3–64 letters, digits, '_' or '-'")
    .requiredOption("--script <file>", "JavaScript file declaring main(context)")
    .option("--description <text>", "free text")
    .option("--depends-on <names>", "comma-separated names of actions it needs")
    .option("--test-input <json>", "run the test with this input: JSON, or @FILE (YAML or JSON)")
    .addHelpText(
      "after",
      examples(
        "cxda actions create --name base_transform --script base.js",
        'cxda actions create --name lead_enrichment_v2 --script lead.js --depends-on base_transform --test-input \'{"email":"a@example.com"}\'',
        "cxda actions create --name x --script f.js --test-input @input.json --json",
      ),
    )
    .action(run(async () => (await import("../commands/actions-create.js")).actionsCreate));
  actions
    .command("test")
    .description(
      "run an action's test in the sandbox (HTTP actions: render the request); exit 1 on FAILURE or TIMEOUT",
    )
    .argument("<ref>", "action name or id")
    .option("--input <json>", "context.input: JSON, or @FILE (YAML or JSON); default null")
    .option("--env <id>", "environment whose overrides apply (e.g. dev)")
    .addHelpText(
      "after",
      examples(
        `cxda actions test lead_enrichment_v2 --input '{"email":"a@example.com"}'`,
        "cxda actions test lead_enrichment_v2 --input @lead.yaml --env staging --json",
      ),
    )
    .action(run(async () => (await import("../commands/actions-create.js")).actionsTest));
  actions
    .command("validate")
    .description(
      "check a script offline: size, ECMAScript 2022 syntax (FILE:LINE:COLUMN), main, name, dependencies",
    )
    .requiredOption("--script <file>", "JavaScript file declaring main(context)")
    .option("--name <name>", "also check the action name")
    .option("--depends-on <names>", "also check the dependency names (existence is checked on create)")
    .addHelpText(
      "after",
      examples(
        "cxda actions validate --script lead.js",
        "cxda actions validate --script lead.js --name lead_v2 --json",
      ),
    )
    .action(run(async () => (await import("../commands/actions-create.js")).actionsValidate));
};
