// biome-ignore-all lint/suspicious/noTemplateCurlyInString: help text shows ${env:NAME} placeholders literally
/** `cxda vars …`: action and global variables, rotation check, re-encryption. */
import { z } from "zod";
import { arg, bind, defineCommand, dryRunFlag, flag, group } from "../../command.js";

const FILE_HELP = `
FILE is YAML or JSON: a list of variables, or {variables: [...]}. Each variable:
  name       ^[A-Za-z][A-Za-z0-9_]{0,63}$, unique ignoring case (not __proto__, constructor, prototype)
  type       string | integer | boolean | object
  value      a string checked against type: integer "42", boolean "true"/"false", object '{"a":1}';
             at most 4096 bytes; at most 50 variables
  encrypted  true stores the value encrypted; it is never shown again (value null + fingerprint)
  scope      action here, global for \`vars global set\` (or leave it out)
A secret's value should be \${env:NAME} or \${file:PATH}; a literal value on encrypted: true works but
gets a warning. Resolved values are never printed. Invalid input exits 65, nothing is written.

Example file:
  - {name: baseUrl, type: string, value: "https://crm.example.com"}
  - {name: maxRetries, type: integer, value: "3"}
  - {name: apiKey, type: string, value: "\${env:CRM_API_KEY}", encrypted: true}
`;

const ref = arg(z.string(), "action name or id");
const file = flag(z.string(), "YAML or JSON list of variables (- reads stdin)", {
  short: "-f",
  value: "<FILE>",
});
const load = () => import("./run.js");

export const get = defineCommand({
  name: "get",
  description: "show an action's variables; secrets show as *** with their key id",
  args: z.object({ ref }),
  examples: ["cxda vars get crm_lookup", "cxda vars get crm_lookup --json"],
});

export const set = defineCommand({
  name: "set",
  description: "replace an action's variables with the file's list (all or nothing)",
  args: z.object({ ref }),
  options: z.object({ file, dryRun: dryRunFlag() }),
  help: FILE_HELP,
  examples: [
    "cxda vars set crm_lookup -f vars.yaml",
    "CRM_API_KEY=… cxda vars set crm_lookup -f vars.yaml --json",
    "CRM_API_KEY=… cxda vars set crm_lookup -f vars.yaml --dry-run",
  ],
});

export const validate = defineCommand({
  name: "validate",
  description: "check a variables file offline (no credentials needed)",
  options: z.object({
    file,
    global: flag(z.boolean().optional(), "check it as global variables (scope global)"),
  }),
  help: FILE_HELP,
  examples: ["cxda vars validate -f vars.yaml", "cxda vars validate -f globals.yaml --global --json"],
});

export const rotationCheck = defineCommand({
  name: "rotation-check",
  description: "list secrets still encrypted under an old key (one action, or the whole tenant)",
  args: z.object({
    ref: arg(z.string().optional(), "action name or id; omitted = every action and the global variables"),
  }),
  examples: ["cxda vars rotation-check", "cxda vars rotation-check crm_lookup --json"],
});

export const reencrypt = defineCommand({
  name: "reencrypt",
  description: "re-encrypt an action's secrets under the active key (needs dataactions:admin)",
  args: z.object({ ref }),
  examples: ["cxda vars reencrypt crm_lookup", "cxda vars reencrypt crm_lookup --json"],
});

export const globalGet = defineCommand({
  name: "get",
  description: "show the global variables",
  examples: ["cxda vars global get", "cxda vars global get --json"],
});

export const globalSet = defineCommand({
  name: "set",
  description: "replace the global variables with the file's list (needs dataactions:admin)",
  options: z.object({ file, dryRun: dryRunFlag() }),
  help: FILE_HELP,
  examples: ["cxda vars global set -f globals.yaml", "cxda vars global set -f globals.json --json"],
});

export const vars = group("vars", [
  bind(get, async () => ({ run: (await load()).runGet })),
  bind(set, async () => ({ run: (await load()).runSet })),
  bind(validate, async () => ({ run: (await load()).runValidate })),
  bind(rotationCheck, async () => ({ run: (await load()).runRotationCheck })),
  bind(reencrypt, async () => ({ run: (await load()).runReencrypt })),
  group(
    "global",
    [
      bind(globalGet, async () => ({ run: (await load()).runGlobalGet })),
      bind(globalSet, async () => ({ run: (await load()).runGlobalSet })),
    ],
    { description: "the tenant's global variables (inherited by every action)" },
  ),
]);
