import { existsSync } from "node:fs";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import { profilePath } from "../../settings.js";
import type { check } from "./index.js";

export const run: Handler<typeof check> = async (ctx) => {
  const client = await ctx.client();
  const info = await client.auth.check();
  const settings = ctx.settings();
  const configFile = profilePath();
  const profile = existsSync(configFile)
    ? `${settings.profile} (${configFile})`
    : `${settings.profile} (no config file at ${configFile}; flags and environment only)`;
  if (ctx.out.json) {
    ctx.out.result({
      ok: true,
      profile: settings.profile,
      configFile: existsSync(configFile) ? configFile : null,
      baseUrl: settings.baseUrl,
      demoCredentials: settings.demoCredentials,
      ...info,
    });
    return 0;
  }
  ctx.out.line(ctx.out.colors.green("✔ credentials accepted"));
  ctx.out.line(
    formatTable(
      ["", ""],
      [
        ["profile", profile],
        ["base URL", settings.baseUrl],
        ["client", `${info.clientId}${settings.demoCredentials ? " (built-in demo client)" : ""}`],
        ["token endpoint", info.tokenEndpoint],
        ["scopes", info.scopes.join(" ")],
        ["expires", `${info.expiresAt} (in ${info.expiresInSeconds} s)`],
      ],
    )
      .split("\n")
      .slice(1)
      .join("\n"),
  );
  return 0;
};
