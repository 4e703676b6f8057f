// biome-ignore-all lint/suspicious/noTemplateCurlyInString: help text shows ${env:NAME} placeholders literally
import { examples, type RegisterGroup } from "../program.js";

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

export const registerVars: RegisterGroup = (program, run) => {
  const vars = program
    .command("vars")
    .description("typed and encrypted variables of an action (and global ones), key rotation");
  const load = async () => await import("../commands/vars.js");
  vars
    .command("get")
    .description("show an action's variables; secrets show as *** with their key id")
    .argument("<ref>", "action name or id")
    .addHelpText("after", examples("cxda vars get crm_lookup", "cxda vars get crm_lookup --json"))
    .action(run(async () => (await load()).varsGet));
  vars
    .command("set")
    .description("replace an action's variables with the file's list (all or nothing)")
    .argument("<ref>", "action name or id")
    .requiredOption("-f, --file <FILE>", "YAML or JSON list of variables")
    .addHelpText(
      "after",
      FILE_HELP +
        examples(
          "cxda vars set crm_lookup -f vars.yaml",
          "CRM_API_KEY=… cxda vars set crm_lookup -f vars.yaml --json",
        ),
    )
    .action(run(async () => (await load()).varsSet));
  vars
    .command("validate")
    .description("check a variables file offline (no credentials needed)")
    .requiredOption("-f, --file <FILE>", "YAML or JSON list of variables")
    .option("--global", "check it as global variables (scope global)")
    .addHelpText(
      "after",
      FILE_HELP +
        examples("cxda vars validate -f vars.yaml", "cxda vars validate -f globals.yaml --global --json"),
    )
    .action(run(async () => (await load()).varsValidate));
  vars
    .command("rotation-check")
    .description("list secrets still encrypted under an old key (one action, or the whole tenant)")
    .argument("[ref]", "action name or id; omitted = every action and the global variables")
    .addHelpText("after", examples("cxda vars rotation-check", "cxda vars rotation-check crm_lookup --json"))
    .action(run(async () => (await load()).varsRotationCheck));
  vars
    .command("reencrypt")
    .description("re-encrypt an action's secrets under the active key (needs dataactions:admin)")
    .argument("<ref>", "action name or id")
    .addHelpText("after", examples("cxda vars reencrypt crm_lookup", "cxda vars reencrypt crm_lookup --json"))
    .action(run(async () => (await load()).varsReencrypt));
  const global = vars
    .command("global")
    .description("the tenant's global variables (inherited by every action)");
  global
    .command("get")
    .description("show the global variables")
    .addHelpText("after", examples("cxda vars global get", "cxda vars global get --json"))
    .action(run(async () => (await load()).varsGlobalGet));
  global
    .command("set")
    .description("replace the global variables with the file's list (needs dataactions:admin)")
    .requiredOption("-f, --file <FILE>", "YAML or JSON list of variables")
    .addHelpText(
      "after",
      FILE_HELP +
        examples("cxda vars global set -f globals.yaml", "cxda vars global set -f globals.json --json"),
    )
    .action(run(async () => (await load()).varsGlobalSet));
};
