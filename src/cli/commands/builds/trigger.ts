import { triggerBuild } from "../../../workflows/builds.js";
import type { Handler } from "../../command.js";
import type { trigger } from "./index.js";
import { reportBuild } from "./report.js";

export const run: Handler<typeof trigger> = async (ctx, { args, options }) => {
  const build = await triggerBuild(await ctx.workflow(true), args.ref, options.env, {
    wait: options.wait === true,
  });
  return reportBuild(ctx, build);
};
