/** `cxda init [DIR]`: a new project to start from. */
import { z } from "zod";
import { arg, bind, defineCommand } from "../../command.js";

export const initSpec = defineCommand({
  name: "init",
  args: z.object({
    dir: arg(z.string().optional(), "directory of the new project (default: the current one)"),
  }),
  options: z.object({}),
  help: `
Writes cxda.yaml (one example action, with the yaml-language-server schema modeline), cxda.schema.json
(the schema that modeline points at), scripts/hello.js, and a .gitignore for the audit log and saved
plans. Existing files are never overwritten: if any of them exists, nothing is written (exit 65).
`,
  examples: ["cxda init", "cxda init infra/tenant --json"],
});

export const init = bind(initSpec, () => import("./init.js"));
