import type { Handler } from "../../command.js";
import type { spec } from "./index.js";

export const run: Handler<typeof spec> = async (ctx) => {
  const { runDemo } = await import("../../../demo/demo.js");
  const summary = await runDemo(ctx.out);
  if (ctx.out.json) ctx.out.result({ ok: true, ...summary });
  return 0;
};
