import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import { loadProfiles } from "../../settings.js";
import type { list } from "./index.js";

export const run: Handler<typeof list> = async (ctx) => {
  const { path, exists, profiles } = loadProfiles(process.env);
  const active = ctx.flags.profile ?? process.env.CXDA_PROFILE ?? "default";
  // Names and non-secret fields only; a secret shows as whether it is set.
  const rows = Object.entries(profiles).map(([name, p]) => ({
    name,
    active: name === active,
    baseUrl: p.baseUrl ?? null,
    clientId: p.clientId ?? null,
    clientSecretSet: p.clientSecret !== undefined,
    accessKeyId: p.accessKeyId ?? null,
    auditLog: p.auditLog ?? null,
    webhookUrl: p.webhookUrl ?? null,
  }));
  if (ctx.out.json) {
    ctx.out.result({ path, count: rows.length, profiles: rows });
    return 0;
  }
  if (!exists || rows.length === 0) {
    ctx.out.line(`no profiles in ${path}; write one with \`cxda configure\``);
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["", "PROFILE", "BASE URL", "CLIENT ID", "CLIENT SECRET", "ACCESS KEY"],
      rows.map((r) => [
        r.active ? "*" : "",
        r.name,
        r.baseUrl ?? "-",
        r.clientId ?? "-",
        r.clientSecretSet ? "set" : "-",
        r.accessKeyId ?? "-",
      ]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(`${path} (* the profile in use)`);
  return 0;
};
