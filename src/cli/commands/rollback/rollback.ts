import { restoreActionRevision } from "../../../workflows/history.js";
import type { Handler } from "../../command.js";
import type { spec } from "./index.js";

export const run: Handler<typeof spec> = async (ctx, { args, options }) => {
  const r = await restoreActionRevision(await ctx.workflow(true), args.ref, options.toVersion, {
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  if (ctx.out.json) {
    ctx.out.result({ ...r });
    return 0;
  }
  ctx.out.line(
    ctx.out.colors.green(
      `${r.action.name} restored to version ${r.toVersion} (was ${r.fromVersion}, now ${r.version}).`,
    ),
  );
  if (r.keptHeaders.length > 0)
    ctx.out.line(
      `Credential headers kept at their current values (masked in the past version): ${r.keptHeaders.join(", ")}`,
    );
  if (r.deploymentId !== undefined)
    ctx.out.line(`Deployment ${r.deploymentId} (tenant revision ${r.revision}).`);
  return 0;
};
