/** `cxda environments list`. */
import { z } from "zod";
import { bind, defineCommand, group } from "../../command.js";

export const list = defineCommand({
  name: "list",
  description: "list the tenant's environments in promotion order, with whether an override write builds",
  options: z.object({}),
  examples: ["cxda environments list", "cxda environments list --json"],
});

export const environments = group("environments", [bind(list, () => import("./list.js"))]);
