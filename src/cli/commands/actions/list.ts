import { listActions } from "../../../workflows/actions.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { list } from "./index.js";

export const run: Handler<typeof list> = async (ctx, { options }) => {
  const { nameContains } = options;
  const actions = await listActions(await ctx.workflow(false), nameContains ? { nameContains } : {});
  if (ctx.out.json) {
    ctx.out.result({ count: actions.length, actions });
    return 0;
  }
  if (actions.length === 0) {
    ctx.out.line(nameContains ? `no actions whose name contains '${nameContains}'` : "no actions yet");
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "TYPE", "VERSION", "DEPENDS ON", "ENABLED", "MODIFIED"],
      actions.map((a) => [
        a.name + (a.locked ? " (locked)" : ""),
        a.type,
        String(a.version),
        a.dependencies?.join(",") || "-",
        a.enabled === false ? "no" : "yes",
        new Date(a.modifiedTimestamp).toISOString(),
      ]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(`${actions.length} action${actions.length === 1 ? "" : "s"}`);
  return 0;
};
