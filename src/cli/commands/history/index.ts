/** `cxda history <ref>`: an action's versions, newest first. */
import { z } from "zod";
import { arg, bind, defineCommand } from "../../command.js";

export const spec = defineCommand({
  name: "history",
  args: z.object({ ref: arg(z.string(), "action name or id") }),
  help: `Each version with its time, the client that wrote it and the deployment it belongs to. Compare two
with cxda diff, restore one with cxda rollback --to-version.`,
  examples: ["cxda history crm_lookup", "cxda history crm_lookup --json"],
});

export const history = bind(spec, () => import("./history.js"));
