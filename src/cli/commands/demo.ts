import type { CommandHandler } from "../program.js";

export const demo: CommandHandler = async (ctx) => {
  const { runDemo } = await import("../../demo/demo.js");
  const summary = await runDemo(ctx.out);
  if (ctx.out.json) ctx.out.result({ ok: true, ...summary });
  return 0;
};
