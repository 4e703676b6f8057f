/** `cxda promote [<ref>…] --from E --to E`: copy overrides from one environment into the next. */
import { z } from "zod";
import { arg, bind, defineCommand, flag } from "../../command.js";

const names = z.string().transform((text) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== ""),
);

export const spec = defineCommand({
  name: "promote",
  args: z.object({ refs: arg(z.array(z.string()).optional(), "action names or ids (or --all)", "REF") }),
  options: z.object({
    from: flag(z.string(), "the environment copied from", { value: "<id>" }),
    to: flag(z.string(), "the environment copied into", { value: "<id>" }),
    all: flag(z.boolean().optional(), "every action of the tenant (or of the file, with --write)"),
    only: flag(names.optional(), "promote only these override names (comma-separated)", {
      value: "<names>",
    }),
    prune: flag(z.boolean().optional(), "also remove overrides that only the target has"),
    allowDownward: flag(
      z.boolean().optional(),
      "allow promoting into an environment ordered before the source (prod → dev)",
    ),
    dryRun: flag(z.boolean().optional(), "show the plan and send nothing"),
    autoApprove: flag(z.boolean().optional(), "apply without asking (CI)"),
    detailedExitcode: flag(z.boolean().optional(), "exit 2 when the plan has changes, 0 when it has none"),
    write: flag(
      z.boolean().optional(),
      "rewrite the project file's target block from the source's instead of calling the API",
    ),
    file: flag(
      z.string().optional(),
      "the project file (read for promote: false marks; rewritten by --write); default cxda.yaml when present",
      { short: "-f", value: "<path>" },
    ),
  }),
  help: `Masked values are copied by the server, sealed: no one, cxda included, reads them on the way.
The plan compares by value, and masked values by fingerprint. Overrides that only the target has are
kept unless --prune. An override marked "promote: false" in the project file (in either environment)
is never promoted. Exit codes: 0 done (or nothing to do), 1 failed (a conflict means the target
changed after the plan was made: run the command again), 2 changes with --detailed-exitcode, 64 usage
(e.g. no terminal to ask on and no --auto-approve), 65 invalid input.`,
  examples: [
    "cxda promote lead_enrichment_v2 --from staging --to prod",
    "cxda promote --all --from dev --to staging --dry-run --detailed-exitcode",
    "cxda promote crm_lookup --from staging --to prod --only API_KEY,REGION --auto-approve",
    "cxda promote --all --from staging --to prod --write -f cxda.yaml",
  ],
});

export const promote = bind(spec, () => import("./promote.js"));
