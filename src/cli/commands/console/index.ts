/** `cxda console`: a local web console over the active profile's tenant (docs/console.md). */
import { z } from "zod";
import { bind, defineCommand, flag } from "../../command.js";

export const spec = defineCommand({
  name: "console",
  options: z.object({
    port: flag(z.string().default("0"), "port on 127.0.0.1 (0 = any free port)", { value: "<port>" }),
    open: flag(z.boolean().optional(), "open the console in the default browser"),
  }),
  help: [
    "",
    "Serves a web console on 127.0.0.1 and prints its URL with a one-time login token: the first visit",
    "exchanges it for a session cookie of that browser. The console reads the tenant with the active",
    "profile's credentials (the browser never sees them) and the audit log (--audit-log). Ctrl+C stops it.",
    "",
  ].join("\n"),
  examples: ["cxda console", "cxda console --port 8790 --open", "cxda --profile prod console"],
});

export const consoleCommand = bind(spec, () => import("./console.js"));
