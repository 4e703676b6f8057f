/** `cxda version`: what this build is and what it speaks. */
import { z } from "zod";
import { bind, defineCommand } from "../../command.js";

export const versionSpec = defineCommand({
  name: "version",
  options: z.object({}),
  help: "\nThe commit is recorded when dist/ is built (npm run build); 'unknown' when built outside git.\n",
  examples: ["cxda version", "cxda version --json"],
});

export const version = bind(versionSpec, () => import("./version.js"));
