import { examples, type RegisterGroup } from "../program.js";

/** The declarative workflow of SPEC §8: `cxda validate | schema | plan | apply | export`, top-level commands. */
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
  program
    .command("apply")
    .description(
      "apply a cxda.yaml to the tenant: creates in dependency order, the rest concurrently; safe to re-run after a crash",
    )
    .option("-f, --file <path>", "the project file (default cxda.yaml, or the file the saved plan names)")
    .option("--auto-approve", "apply without asking (needed when stdin is not a terminal, e.g. in CI)")
    .option("--prune", "also delete live actions that the file does not list (dependents first)")
    .option("--plan <path>", "apply a plan saved by cxda plan --out, refused if the tenant changed since")
    .option("--refresh-secrets", "rewrite encrypted and masked values (they cannot be compared)")
    .option("--allow-literal-secrets", "accept encrypted or masked values written in the file itself")
    .addHelpText(
      "after",
      `${examples(
        "cxda apply",
        "cxda apply -f examples/contact-center/cxda.yaml --auto-approve",
        "cxda plan --out plan.json && cxda apply --plan plan.json",
        "cxda apply --auto-approve --prune --json",
      )}
Exit codes: 0 everything applied (or nothing to apply), 1 an operation failed (each failure is listed
with the state it left), 64 no terminal to confirm on and no --auto-approve, 65 invalid file (nothing
applied). A saved plan whose tenant changed since is refused (PlanDriftError, exit 1).
`,
    )
    .action(run(async () => (await import("../commands/project.js")).projectApply));
  program
    .command("export")
    .description(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown to users as is
      "write the live tenant as a cxda.yaml plus script files; secrets become ${env:…} placeholders",
    )
    .option("-o, --out <dir>", "the directory to write (default ./cxda-export)")
    .option("-f, --file <path>", "the project file to write instead of <dir>/cxda.yaml")
    .addHelpText(
      "after",
      examples(
        "cxda export",
        "cxda export -o infra/tenant && cxda plan -f infra/tenant/cxda.yaml",
        "cxda export --json",
      ),
    )
    .action(run(async () => (await import("../commands/project.js")).projectExport));
};
