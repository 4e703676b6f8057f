import { diffActionRevisions } from "../../../workflows/history.js";
import type { Handler } from "../../command.js";
import type { spec } from "./index.js";

export const run: Handler<typeof spec> = async (ctx, { args, options }) => {
  const d = await diffActionRevisions({ client: await ctx.client() }, args.ref, options.from, options.to);
  if (ctx.out.json) {
    ctx.out.result({
      action: d.action,
      from: d.from,
      to: d.to,
      script: d.script,
      config: d.config,
      unifiedDiff: d.unifiedDiff,
    });
    return 0;
  }
  const c = ctx.out.colors;
  if (d.unifiedDiff === "") {
    ctx.out.line(`${d.action.name}: versions ${d.from} and ${d.to} have the same script and configuration`);
    return 0;
  }
  for (const line of d.unifiedDiff.replace(/\n$/, "").split("\n")) {
    if (line.startsWith("+++") || line.startsWith("---")) ctx.out.line(c.bold(line));
    else if (line.startsWith("@@")) ctx.out.line(c.cyan(line));
    else if (line.startsWith("+")) ctx.out.line(c.green(line));
    else if (line.startsWith("-")) ctx.out.line(c.red(line));
    else ctx.out.line(line);
  }
  return 0;
};
