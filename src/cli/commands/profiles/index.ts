/** `cxda profiles list`. */
import { z } from "zod";
import { bind, defineCommand, group } from "../../command.js";

export const list = defineCommand({
  name: "list",
  description: "list the profiles of the config file and which one is used; never a secret",
  options: z.object({}),
  examples: ["cxda profiles list", "CXDA_CONFIG=./ci.yaml cxda profiles list --json"],
});

export const profiles = group("profiles", [bind(list, () => import("./list.js"))]);
