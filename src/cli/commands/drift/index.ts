/** `cxda drift [<ref>] --baseline E --target E [--detailed-exitcode]`. */
import { z } from "zod";
import { arg, bind, defineCommand, flag } from "../../command.js";

export const spec = defineCommand({
  name: "drift",
  args: z.object({ ref: arg(z.string().optional(), "action name or id (default: every action)") }),
  options: z.object({
    baseline: flag(z.string(), "the reference environment", { value: "<id>" }),
    target: flag(z.string(), "the environment compared with it", { value: "<id>" }),
    detailedExitcode: flag(z.boolean().optional(), "exit 2 when there is drift (0 when none)"),
  }),
  examples: [
    "cxda drift --baseline staging --target prod",
    "cxda drift lead_enrichment_v2 --baseline staging --target prod --detailed-exitcode",
    "cxda drift --baseline dev --target staging --json",
  ],
});

export const drift = bind(spec, () => import("./drift.js"));
