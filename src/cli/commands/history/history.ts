import { actionHistory } from "../../../workflows/history.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import { timeText } from "../deployments/show.js";
import type { spec } from "./index.js";

export const run: Handler<typeof spec> = async (ctx, { args }) => {
  const h = await actionHistory({ client: await ctx.client() }, args.ref);
  if (ctx.out.json) {
    ctx.out.result({ action: h.action, count: h.revisions.length, revisions: h.revisions });
    return 0;
  }
  const c = ctx.out.colors;
  ctx.out.line(`${c.bold(h.action.name)} (${h.action.id}), now at version ${h.action.version}`);
  ctx.out.line(
    formatTable(
      ["VERSION", "MODIFIED", "CLIENT", "DEPLOYMENT"],
      h.revisions.map((r) => [
        r.version === h.action.version ? `${r.version} (current)` : String(r.version),
        timeText(r.modifiedTimestamp),
        r.clientId ?? "-",
        r.deploymentId ?? "-",
      ]),
      c,
    ),
  );
  return 0;
};
