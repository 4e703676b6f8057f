import { getBuild } from "../../../workflows/builds.js";
import type { Handler } from "../../command.js";
import type { status } from "./index.js";
import { reportBuild } from "./report.js";

export const run: Handler<typeof status> = async (ctx, { args }) => {
  const build = await getBuild({ client: await ctx.client() }, args.ref, args.buildId);
  return reportBuild(ctx, build);
};
