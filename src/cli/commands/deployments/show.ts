import type { DeploymentResource } from "../../../client/resources/deployments.js";
import { getDeployment } from "../../../workflows/deployments.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { show } from "./index.js";

/** "action crm_lookup", "overrides crm_lookup in prod", "globalVariables". */
export function resourceText(r: DeploymentResource): string {
  return [r.kind, r.name ?? r.actionId ?? "", r.environmentId ? `in ${r.environmentId}` : ""]
    .filter((s) => s !== "")
    .join(" ");
}

/** A server time (epoch milliseconds, or text) as ISO 8601. */
export function timeText(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  return typeof value === "string" && value !== "" ? value : "-";
}

export const version = (v: number | null | undefined): string =>
  v === null || v === undefined ? "-" : `v${v}`;

export const run: Handler<typeof show> = async (ctx, { args }) => {
  const d = await getDeployment({ client: await ctx.client() }, args.id);
  if (ctx.out.json) {
    ctx.out.result({ deployment: d });
    return 0;
  }
  const c = ctx.out.colors;
  ctx.out.line(
    `${c.bold(`Deployment ${d.id}`)}: revision ${d.revision}, ${timeText(d.createdTimestamp)}, by ${d.clientId}`,
  );
  if (d.description) ctx.out.line(d.description);
  ctx.out.line(`${d.counts.created} created, ${d.counts.updated} updated, ${d.counts.deleted} deleted`);
  ctx.out.line("");
  ctx.out.line(
    formatTable(
      ["RESOURCE", "BEFORE", "AFTER"],
      d.resources.map((r) => [resourceText(r), version(r.beforeVersion), version(r.afterVersion)]),
      c,
    ),
  );
  return 0;
};
