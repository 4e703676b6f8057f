/** `cxda rollback <ref> --to-version N`: restore one action to a past version. */
import { z } from "zod";
import { arg, bind, defineCommand, dryRunFlag, flag } from "../../command.js";

export const spec = defineCommand({
  name: "rollback",
  args: z.object({ ref: arg(z.string(), "action name or id") }),
  options: z.object({
    toVersion: flag(z.coerce.number().int().min(1), "the version to restore (cxda history lists them)", {
      value: "<n>",
    }),
    description: flag(z.string().optional(), "the deployment's description", { value: "<text>" }),
    dryRun: dryRunFlag(),
  }),
  help: `One change with the version read as its precondition: if the action changes in between, the
rollback is refused (exit 1) and nothing is written. A credential header a server answers masked keeps
its current value (and is named). To undo a whole apply, use cxda deployments rollback.`,
  examples: [
    "cxda rollback crm_lookup --to-version 2",
    "cxda rollback crm_lookup --to-version 2 --dry-run",
    "cxda rollback crm_lookup --to-version 2 --json",
  ],
});

export const rollback = bind(spec, () => import("./rollback.js"));
