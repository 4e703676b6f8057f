/** `cxda actions list | get | delete | create | update | test | validate`. */
import { z } from "zod";
import { arg, bind, defineCommand, dryRunFlag, flag, group } from "../../command.js";

const ref = arg(z.string(), "action name or id");

export const list = defineCommand({
  name: "list",
  description: "list actions (all pages)",
  options: z.object({
    nameContains: flag(z.string().optional(), "only names containing this text", { value: "<text>" }),
  }),
  examples: ["cxda actions list", "cxda actions list --name-contains lead --json"],
});

export const get = defineCommand({
  name: "get",
  description: "show one action (--script: print only its script, ready to edit and send back)",
  args: z.object({ ref }),
  options: z.object({
    script: flag(z.boolean().optional(), "print the action's script, exactly as stored, and nothing else"),
  }),
  examples: [
    "cxda actions get lead_enrichment_v2",
    "cxda actions get 5f0c…-… --json",
    "cxda actions get lead_enrichment_v2 --script > lead_enrichment_v2.js",
  ],
});

export const remove = defineCommand({
  name: "delete",
  description: "delete an action (refused while others depend on it); asks on a terminal, --yes elsewhere",
  args: z.object({ ref }),
  options: z.object({
    dryRun: dryRunFlag(),
    yes: flag(z.boolean().optional(), "delete without asking (required when stdin is not a terminal)"),
  }),
  examples: [
    "cxda actions delete old_action",
    "cxda actions delete old_action --yes --json",
    "cxda actions delete old_action --dry-run",
  ],
});

export const create = defineCommand({
  name: "create",
  description: "create a SCRIPT action from a file, optionally running its test (exit 1 if the test fails)",
  options: z.object({
    name: flag(z.string(), "action name: 3–64 letters, digits, '_' or '-'", { value: "<name>" }),
    script: flag(z.string(), "JavaScript file declaring main(context)", { value: "<file>" }),
    description: flag(z.string().optional(), "free text", { value: "<text>" }),
    dependsOn: flag(z.string().optional(), "comma-separated names of actions it needs", { value: "<names>" }),
    testInput: flag(
      z.string().optional(),
      "run the test with this input: JSON, or @FILE (YAML or JSON; @- reads stdin)",
      {
        value: "<json>",
      },
    ),
    dryRun: dryRunFlag(),
  }),
  examples: [
    "cxda actions create --name base_transform --script base.js",
    "cxda actions create --name base_transform --script base.js --dry-run",
    'cxda actions create --name lead_enrichment_v2 --script lead.js --depends-on base_transform --test-input \'{"email":"a@example.com"}\'',
    "cxda actions create --name lead_score --script lead.js --test-input @input.json --json",
  ],
});

export const update = defineCommand({
  name: "update",
  description:
    "change an action's script, description or dependencies (sent with the version read; prints what changed)",
  args: z.object({ ref }),
  options: z.object({
    script: flag(z.string().optional(), "JavaScript file declaring main(context); - reads standard input", {
      value: "<file>",
    }),
    description: flag(z.string().optional(), "the new description", { value: "<text>" }),
    dependsOn: flag(
      z.string().optional(),
      "the new comma-separated list of actions it needs (replaces the list; '' removes them all)",
      { value: "<names>" },
    ),
    dryRun: dryRunFlag(),
  }),
  help: `
Only what differs from the stored action is sent, as one merge patch with the version read; when
someone else wrote in between, the same change is applied again on the new version. Nothing is sent
when the action already is as asked. Exit codes: 0 updated or unchanged; 64 no change asked for;
65 the new script or value breaks a rule (FILE:LINE:COLUMN for script errors); 1 refused by the server.
`,
  examples: [
    "cxda actions get lead_score --script > lead_score.js",
    "cxda actions update lead_score --script lead_score.js",
    "cxda actions update lead_score --script lead_score.js --dry-run",
    'cxda actions update lead_score --description "scores inbound leads" --depends-on base_transform --json',
    "cat lead_score.js | cxda actions update lead_score --script -",
  ],
});

export const test = defineCommand({
  name: "test",
  description:
    "run an action's test in the sandbox (HTTP actions: render the request); exit 1 on FAILURE or TIMEOUT",
  args: z.object({ ref }),
  options: z.object({
    input: flag(
      z.string().optional(),
      "context.input: JSON, or @FILE (YAML or JSON; @- reads stdin); default null",
      {
        value: "<json>",
      },
    ),
    env: flag(z.string().optional(), "environment whose overrides apply (e.g. dev)", { value: "<id>" }),
  }),
  examples: [
    `cxda actions test lead_enrichment_v2 --input '{"email":"a@example.com"}'`,
    "cxda actions test lead_enrichment_v2 --input @lead.yaml --env staging --json",
    `echo '{"email":"a@example.com"}' | cxda actions test lead_enrichment_v2 --input @-`,
  ],
});

export const validate = defineCommand({
  name: "validate",
  description:
    "check a script offline: size, ECMAScript 2022 syntax (FILE:LINE:COLUMN), main, name, dependencies",
  options: z.object({
    script: flag(z.string(), "JavaScript file declaring main(context)", { value: "<file>" }),
    name: flag(z.string().optional(), "also check the action name", { value: "<name>" }),
    dependsOn: flag(
      z.string().optional(),
      "also check the dependency names (existence is checked on create)",
      { value: "<names>" },
    ),
  }),
  examples: [
    "cxda actions validate --script lead.js",
    "cxda actions validate --script lead.js --name lead_v2 --json",
  ],
});

export const actions = group("actions", [
  bind(list, () => import("./list.js")),
  bind(get, () => import("./get.js")),
  bind(remove, () => import("./delete.js")),
  bind(create, () => import("./create.js")),
  bind(update, () => import("./update.js")),
  bind(test, () => import("./test.js")),
  bind(validate, () => import("./validate.js")),
]);
