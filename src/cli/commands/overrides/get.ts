import { getOverrides } from "../../../workflows/overrides.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { get } from "./index.js";

function shownValue(v: { value: string; masked: boolean }): string {
  return v.masked ? "***" : v.value;
}

export const run: Handler<typeof get> = async (ctx, { args, options }) => {
  const set = await getOverrides(await ctx.workflow(false), args.ref, options.env);
  if (ctx.out.json) {
    ctx.out.result({ overrides: set });
    return 0;
  }
  if (set.variables.length === 0) {
    ctx.out.line(`no overrides in ${set.environmentId} (version ${set.version})`);
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "VALUE", "MASKED", "DESCRIPTION"],
      set.variables.map((v) => [v.name, shownValue(v), v.masked ? "yes" : "no", v.description ?? ""]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(
    `${set.variables.length} override${set.variables.length === 1 ? "" : "s"} in ${set.environmentId}, version ${set.version}`,
  );
  return 0;
};
