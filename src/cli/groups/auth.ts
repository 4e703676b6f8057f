import { examples, type RegisterGroup } from "../program.js";

export const registerAuth: RegisterGroup = (program, run) => {
  const auth = program.command("auth").description("credentials");
  auth
    .command("check")
    .description("get a token and show its expiry and scopes (never the token)")
    .addHelpText(
      "after",
      examples(
        "cxda auth check",
        "CXDA_CLIENT_ID=ci CXDA_CLIENT_SECRET=… cxda auth check --base-url https://emu.local --json",
      ),
    )
    .action(run(async () => (await import("../commands/auth.js")).authCheck));
};
