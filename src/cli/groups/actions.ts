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
};
