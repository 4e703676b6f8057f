/** `cxda auth check`. */
import { z } from "zod";
import { bind, defineCommand, group } from "../../command.js";

export const check = defineCommand({
  name: "check",
  description: "get a token and show its expiry and scopes (never the token)",
  options: z.object({}),
  examples: [
    "cxda auth check",
    "CXDA_CLIENT_ID=ci CXDA_CLIENT_SECRET=… cxda auth check --base-url https://emu.local --json",
  ],
});

export const auth = group("auth", [bind(check, () => import("./check.js"))]);
