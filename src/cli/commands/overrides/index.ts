/** `cxda overrides get | set | unset | validate | resolve`: per-environment variable overrides. */
import { z } from "zod";
import { arg, bind, defineCommand, dryRunFlag, flag, group } from "../../command.js";

const ref = arg(z.string(), "action name or id");
const env = flag(z.string(), "environment id", { value: "<id>" });

export const get = defineCommand({
  name: "get",
  description: "show the overrides of an action in one environment (masked values as ***)",
  args: z.object({ ref }),
  options: z.object({ env }),
  examples: [
    "cxda overrides get lead_enrichment_v2 --env prod",
    "cxda overrides get lead_enrichment_v2 --env dev --json",
  ],
});

export const set = defineCommand({
  name: "set",
  description: "upsert overrides from a YAML/JSON file (--replace: make the set exactly the file)",
  args: z.object({ ref }),
  options: z.object({
    env,
    file: flag(
      z.string(),
      "YAML or JSON: a list of {name, value, masked?, description?} or {variables: [...]} (- reads stdin)",
      {
        short: "-f",
        value: "<path>",
      },
    ),
    replace: flag(z.boolean().optional(), "replace the whole set instead of upserting by name"),
    baseline: flag(z.string().optional(), "also report the drift from this environment after the write", {
      value: "<id>",
    }),
    wait: flag(z.boolean().optional(), "wait for the build a buildOnChange environment starts"),
    dryRun: dryRunFlag(),
  }),
  examples: [
    "cxda overrides set lead_enrichment_v2 --env staging -f overrides.yaml",
    "cxda overrides set lead_enrichment_v2 --env prod -f prod.yaml --replace --baseline staging",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax is shown literally
    "# overrides.yaml:  - {name: API_KEY, value: '${env:API_KEY}', masked: true}",
  ],
});

export const unset = defineCommand({
  name: "unset",
  description: "remove overrides by name (names not set are ignored)",
  args: z.object({ ref, names: arg(z.array(z.string()), "override names") }),
  options: z.object({ env, dryRun: dryRunFlag() }),
  examples: [
    "cxda overrides unset lead_enrichment_v2 --env dev DEBUG TRACE_ID",
    "cxda overrides unset lead_enrichment_v2 --env dev DEBUG --dry-run",
  ],
});

export const validate = defineCommand({
  name: "validate",
  description: "check an overrides file offline (every problem, with file:line:column)",
  options: z.object({
    file: flag(z.string(), "YAML or JSON overrides file (- reads stdin)", { short: "-f", value: "<path>" }),
  }),
  examples: ["cxda overrides validate -f overrides.yaml", "cxda overrides validate -f prod.json --json"],
});

export const resolve = defineCommand({
  name: "resolve",
  description:
    "the effective variables of an action in an environment, with the source of each (override ▸ action ▸ global)",
  args: z.object({ ref }),
  options: z.object({ env }),
  examples: ["cxda overrides resolve lead_enrichment_v2 --env prod"],
});

export const overrides = group("overrides", [
  bind(get, () => import("./get.js")),
  bind(set, () => import("./write.js").then((m) => ({ run: m.runSet }))),
  bind(unset, () => import("./write.js").then((m) => ({ run: m.runUnset }))),
  bind(validate, () => import("./validate.js")),
  bind(resolve, () => import("./resolve.js")),
]);
