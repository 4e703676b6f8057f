import { examples, type RegisterGroup } from "../program.js";

/** The declarative workflow of SPEC §8: `cxda validate | schema | plan`, top-level commands. */
export const registerProject: RegisterGroup = (program, run) => {
  program
    .command("validate")
    .description("check a cxda.yaml offline: every rule, every problem at once, as file:line:column")
    .option("-f, --file <path>", "the project file", "cxda.yaml")
    .option("--allow-literal-secrets", "accept encrypted or masked values written in the file itself")
    .addHelpText(
      "after",
      examples(
        "cxda validate",
        "cxda validate -f examples/contact-center/cxda.yaml",
        "cxda validate -f cxda.yaml --json",
      ),
    )
    .action(run(async () => (await import("../commands/project.js")).projectValidate));
  program
    .command("schema")
    .description("print the JSON Schema of cxda.yaml (draft-07, for editors and yaml-language-server)")
    .option("-o, --out <path>", "write it to this file instead of printing it")
    .addHelpText(
      "after",
      examples(
        "cxda schema > cxda.schema.json",
        "cxda schema --out examples/contact-center/cxda.schema.json",
      ),
    )
    .action(run(async () => (await import("../commands/project.js")).projectSchema));
  program
    .command("plan")
    .description("compare a cxda.yaml with the live tenant and show what apply would change")
    .option("-f, --file <path>", "the project file", "cxda.yaml")
    .option("--detailed-exitcode", "exit 2 when the plan has changes, 0 when it has none")
    .option("--out <path>", "save the plan as JSON (no secret values) for a later apply")
    .option("--prune", "plan deleting live actions that the file does not list")
    .option("--refresh-secrets", "plan rewriting encrypted and masked values (they cannot be compared)")
    .option("--allow-literal-secrets", "accept encrypted or masked values written in the file itself")
    .addHelpText(
      "after",
      examples(
        "cxda plan",
        "cxda plan -f examples/contact-center/cxda.yaml --detailed-exitcode",
        "cxda plan --json --out plan.json",
      ),
    )
    .action(run(async () => (await import("../commands/project.js")).projectPlan));
};
