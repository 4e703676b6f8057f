/** `cxda diff <ref> --from N [--to M]`: a unified diff of an action's script and configuration between two versions. */
import { z } from "zod";
import { arg, bind, defineCommand, flag } from "../../command.js";

const version = z.coerce.number().int().min(1);

export const spec = defineCommand({
  name: "diff",
  args: z.object({ ref: arg(z.string(), "action name or id") }),
  options: z.object({
    from: flag(version, "the older version", { value: "<n>" }),
    to: flag(version.optional(), "the newer version (default: the current one)", { value: "<m>" }),
  }),
  help: `The script, then the other fields (type, description, dependencies, request, headers, date
processing) as indented JSON. Credential headers read *** (*** (changed) when they differ).`,
  examples: ["cxda diff crm_lookup --from 2", "cxda diff crm_lookup --from 2 --to 4 --json"],
});

export const diff = bind(spec, () => import("./diff.js"));
