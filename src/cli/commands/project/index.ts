/** The declarative workflow (docs/cli.md): `cxda validate | schema | plan | apply | export`, top-level commands. */
import { z } from "zod";
import { bind, defineCommand, flag } from "../../command.js";

const projectFile = flag(z.string().default("cxda.yaml"), "the project file", {
  short: "-f",
  value: "<path>",
});
const allowLiteralSecrets = flag(
  z.boolean().optional(),
  "accept encrypted or masked values written in the file itself",
);
const allowFilesOutsideProject = flag(
  z.boolean().optional(),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown to users as is
  "let ${file:…} and script files leave the project file's directory",
);

const format = flag(
  z.enum(["text", "github"]).default("text"),
  "github: report problems as GitHub Actions annotations (::error file=…,line=…,col=…::…; see docs/ci.md)",
  { value: "<format>" },
);

export const validateSpec = defineCommand({
  name: "validate",
  options: z.object({ file: projectFile, format, allowLiteralSecrets, allowFilesOutsideProject }),
  examples: [
    "cxda validate",
    "cxda validate -f examples/contact-center/cxda.yaml",
    "cxda validate -f cxda.yaml --json",
    "cxda validate --format github",
  ],
});

export const schemaSpec = defineCommand({
  name: "schema",
  options: z.object({
    out: flag(z.string().optional(), "write it to this file instead of printing it", {
      short: "-o",
      value: "<path>",
    }),
  }),
  examples: ["cxda schema > cxda.schema.json", "cxda schema --out examples/contact-center/cxda.schema.json"],
});

export const planSpec = defineCommand({
  name: "plan",
  options: z.object({
    file: projectFile,
    detailedExitcode: flag(z.boolean().optional(), "exit 2 when the plan has changes, 0 when it has none"),
    out: flag(z.string().optional(), "save the plan as JSON (no secret values) for a later apply", {
      value: "<path>",
    }),
    prune: flag(z.boolean().optional(), "plan deleting live actions that the file does not list"),
    format,
    refreshSecrets: flag(
      z.boolean().optional(),
      "plan rewriting encrypted and masked values (they cannot be compared)",
    ),
    allowLiteralSecrets,
    allowFilesOutsideProject,
  }),
  examples: [
    "cxda plan",
    "cxda plan -f examples/contact-center/cxda.yaml --detailed-exitcode",
    "cxda plan --json --out plan.json",
    "cxda plan --detailed-exitcode --format github --out plan.json",
  ],
});

export const applySpec = defineCommand({
  name: "apply",
  options: z.object({
    file: flag(
      z.string().optional(),
      "the project file (default cxda.yaml, or the file the saved plan names)",
      { short: "-f", value: "<path>" },
    ),
    autoApprove: flag(
      z.boolean().optional(),
      "apply without asking (needed when stdin is not a terminal, e.g. in CI)",
    ),
    prune: flag(
      z.boolean().optional(),
      "also delete live actions that the file does not list (dependents first)",
    ),
    plan: flag(
      z.string().optional(),
      "apply a plan saved by cxda plan --out, refused if the tenant changed since",
      {
        value: "<path>",
      },
    ),
    refreshSecrets: flag(
      z.boolean().optional(),
      "rewrite encrypted and masked values (they cannot be compared)",
    ),
    allowLiteralSecrets,
    allowFilesOutsideProject,
  }),
  examples: [
    "cxda apply",
    "cxda apply -f examples/contact-center/cxda.yaml --auto-approve",
    "cxda plan --out plan.json && cxda apply --plan plan.json",
    "cxda apply --auto-approve --prune --json",
  ],
  helpAfter: `
A server that offers changesets gets the whole plan as one changeset (in batches of at most 1 000
operations above that size): it is applied whole or not at all, and recorded as one deployment whose id
is printed (cxda deployments show ID; cxda deployments rollback ID undoes it). Otherwise each resource
is written by its own request.

Exit codes: 0 everything applied (or nothing to apply), 1 an operation failed (each failure is listed
with the state it left; a refused changeset names the operation and its place in the file), 64 no
terminal to confirm on and no --auto-approve, 65 invalid file (nothing applied). A saved plan whose
tenant changed since is refused (PlanDriftError, exit 1).
`,
});

export const exportSpec = defineCommand({
  name: "export",
  options: z.object({
    out: flag(z.string().optional(), "the directory to write (default ./cxda-export)", {
      short: "-o",
      value: "<dir>",
    }),
    file: flag(z.string().optional(), "the project file to write instead of <dir>/cxda.yaml", {
      short: "-f",
      value: "<path>",
    }),
    force: flag(
      z.boolean().optional(),
      "overwrite existing files (placeholders the existing cxda.yaml uses for secrets are kept)",
    ),
  }),
  examples: [
    "cxda export",
    "cxda export -o infra/tenant && cxda plan -f infra/tenant/cxda.yaml",
    "cxda export --json",
    "cxda export -o . --force",
  ],
});

export const validate = bind(validateSpec, () => import("./validate.js"));
export const schema = bind(schemaSpec, () => import("./schema.js"));
export const plan = bind(planSpec, () => import("./plan.js"));
export const apply = bind(applySpec, () => import("./apply.js"));
export const exportProject = bind(exportSpec, () => import("./export.js"));
