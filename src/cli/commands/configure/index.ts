/** `cxda configure`: writes a profile of the config file. */
import { z } from "zod";
import { bind, defineCommand, flag } from "../../command.js";

export const configureSpec = defineCommand({
  name: "configure",
  options: z.object({
    clientSecretStdin: flag(z.boolean().optional(), "read the client secret from the first line of stdin"),
  }),
  help: `
On a terminal it asks for the base URL, the client id and the client secret (typed unseen; Enter keeps
what the profile has). Elsewhere it takes them from --base-url, --client-id, --audit-log and, for the
secret, --client-secret-stdin or CXDA_CLIENT_SECRET (never a flag: it would stay in shell history).
The profile is --profile (or CXDA_PROFILE, else 'default'); other profiles are kept. The file is
CXDA_CONFIG, else $XDG_CONFIG_HOME/cxda/config.yaml, written 0600.
`,
  examples: [
    "cxda configure",
    "cxda configure --profile prod --base-url https://dataactions.example.com --client-id ci-deployer --client-secret-stdin < secret.txt",
  ],
});

export const configure = bind(configureSpec, () => import("./configure.js"));
