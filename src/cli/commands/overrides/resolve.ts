import { resolveVariables } from "../../../workflows/overrides.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { resolve } from "./index.js";

export const run: Handler<typeof resolve> = async (ctx, { args, options }) => {
  const resolved = await resolveVariables(await ctx.workflow(false), args.ref, options.env);
  if (ctx.out.json) {
    ctx.out.result({ ...resolved });
    return 0;
  }
  if (resolved.variables.length === 0) {
    ctx.out.line(`${resolved.action.name} has no variables in ${resolved.environmentId}`);
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "VALUE", "SOURCE", "HIDES"],
      resolved.variables.map((v) => [v.name, v.value, v.source, v.shadows.join(", ") || "-"]),
      ctx.out.colors,
    ),
  );
  return 0;
};
