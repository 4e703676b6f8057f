/** `cxda builds list | trigger | status`: a FAILED build exits 1 with its errors. */
import { z } from "zod";
import { arg, bind, defineCommand, flag, group } from "../../command.js";

const ref = arg(z.string(), "action name or id");

export const trigger = defineCommand({
  name: "trigger",
  description: "queue a build (admin scope); --wait follows it to SUCCEEDED or FAILED",
  args: z.object({ ref }),
  options: z.object({
    env: flag(z.string(), "environment id", { value: "<id>" }),
    wait: flag(z.boolean().optional(), "wait until the build finishes (exit 1 when it fails)"),
  }),
  examples: ["cxda builds trigger lead_enrichment_v2 --env staging --wait"],
});

export const status = defineCommand({
  name: "status",
  description: "show a build; a FAILED build exits 1 with its errors",
  args: z.object({ ref, buildId: arg(z.string(), "the id printed by trigger", "build-id") }),
  examples: [
    "cxda builds status lead_enrichment_v2 6c1f…-…",
    "cxda builds status lead_enrichment_v2 6c1f…-… --json",
  ],
});

export const list = defineCommand({
  name: "list",
  description: "list the builds of an action, newest first",
  args: z.object({ ref }),
  options: z.object({
    env: flag(z.string().optional(), "only the builds of this environment", { value: "<id>" }),
  }),
  examples: [
    "cxda builds list lead_enrichment_v2",
    "cxda builds list lead_enrichment_v2 --env staging --json",
  ],
});

export const builds = group("builds", [
  bind(list, () => import("./list.js")),
  bind(trigger, () => import("./trigger.js")),
  bind(status, () => import("./status.js")),
]);
