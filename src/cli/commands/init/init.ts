import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ValidationError } from "../../../errors.js";
import { API_VERSION, projectJsonSchema, SCHEMA_FILE_NAME } from "../../../project/project-schema.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import type { initSpec } from "./index.js";

const PROJECT = `# yaml-language-server: $schema=./${SCHEMA_FILE_NAME}
#
# A cxda project: the Data Actions of a tenant as code (README.md, "Declarative projects").
# Check it offline with \`cxda validate\`, compare it with the tenant with \`cxda plan\`, then
# \`cxda apply\`. Secrets are never written here: use \${env:NAME} or \${file:PATH} placeholders
# on encrypted variables, masked overrides and credential headers.
apiVersion: ${API_VERSION}

environments: [dev, staging, prod]

actions:
  hello:
    type: SCRIPT
    description: Greets the caller; an example to rename or replace.
    script: { file: scripts/hello.js }
    variables:
      - { name: greeting, type: string, value: Hello }
    overrides:
      dev:
        - { name: LOG_LEVEL, value: debug }
`;

const SCRIPT = `// The Data Actions runtime calls main(context): context.input is the request's input,
// context.variables the action's variables; return the output (docs/script-runtime.md).
// biome-ignore lint/correctness/noUnusedVariables: called by the runtime
function main(context) {
  const name = String(context.input?.name ?? "world");
  return { message: \`\${context.variables.greeting}, \${name}!\` };
}
`;

const GITIGNORE = `# cxda: the audit log of the CLI, and plans saved with \`cxda plan --out\`
cxda-audit.jsonl
*.plan.json
plan.json
`;

export const run: Handler<typeof initSpec> = async (ctx, { args }) => {
  const dir = resolve(args.dir ?? ".");
  const files: [string, string][] = [
    ["cxda.yaml", PROJECT],
    [SCHEMA_FILE_NAME, `${JSON.stringify(projectJsonSchema(), null, 2)}\n`],
    [join("scripts", "hello.js"), SCRIPT],
    [".gitignore", GITIGNORE],
  ];
  const shown = (name: string) => relative(process.cwd(), join(dir, name)) || name;
  const existing = files.filter(([name]) => existsSync(join(dir, name))).map(([name]) => shown(name));
  if (existing.length > 0)
    throw new ValidationError(
      `cxda init writes no file that exists already: ${existing.join(", ")}; choose another directory (cxda init DIR) or move them away`,
    );
  mkdirSync(join(dir, "scripts"), { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text, { flag: "wx" });
  const project = shown("cxda.yaml");
  const fileFlag = project === "cxda.yaml" ? "" : ` -f ${project}`;
  const next = [`cxda validate${fileFlag}`, `cxda plan${fileFlag}`, `cxda apply${fileFlag}`];
  if (ctx.out.json) {
    ctx.out.result({ written: files.map(([name]) => shown(name)), next });
    return EXIT.ok;
  }
  for (const [name] of files) ctx.out.line(`created ${shown(name)}`);
  ctx.out.line("");
  ctx.out.line("Next:");
  const why = [
    "offline: every problem at once",
    "what apply would change in the tenant",
    "apply it, after a yes",
  ];
  const width = Math.max(...next.map((c) => c.length));
  for (const [i, command] of next.entries()) ctx.out.line(`  ${command.padEnd(width)}  # ${why[i]}`);
  return EXIT.ok;
};
