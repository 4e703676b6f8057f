import { listEnvironments } from "../../../workflows/overrides.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { list } from "./index.js";

export const run: Handler<typeof list> = async (ctx) => {
  const environments = await listEnvironments(await ctx.workflow(false));
  if (ctx.out.json) {
    ctx.out.result({ count: environments.length, environments });
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["ID", "NAME", "ORDER", "BUILD ON CHANGE"],
      environments.map((e) => [e.id, e.name, String(e.order), e.buildOnChange ? "yes" : "no"]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(`${environments.length} environment${environments.length === 1 ? "" : "s"}`);
  return 0;
};
