import { listDeployments } from "../../../workflows/deployments.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { list } from "./index.js";
import { timeText } from "./show.js";

export const run: Handler<typeof list> = async (ctx, { options }) => {
  const limit = options.limit ?? 20;
  const deployments = await listDeployments({ client: await ctx.client() }, { limit });
  if (ctx.out.json) {
    ctx.out.result({ count: deployments.length, deployments });
    return 0;
  }
  if (deployments.length === 0) {
    ctx.out.line("no deployments yet");
    return 0;
  }
  const c = ctx.out.colors;
  ctx.out.line(
    formatTable(
      ["ID", "REVISION", "CREATED", "CLIENT", "CREATED/UPDATED/DELETED", "DESCRIPTION"],
      deployments.map((d) => [
        d.id,
        String(d.revision),
        timeText(d.createdTimestamp),
        d.clientId,
        `${d.counts.created}/${d.counts.updated}/${d.counts.deleted}`,
        d.description ?? "",
      ]),
      c,
    ),
  );
  ctx.out.line(
    `${deployments.length} deployment${deployments.length === 1 ? "" : "s"}, newest first${deployments.length === limit ? ` (--limit ${limit})` : ""}`,
  );
  return 0;
};
