import type { CommandHandler } from "../program.js";

export const demo: CommandHandler = async (ctx) => {
  const { runDemo } = await import("../../demo/demo.js");
  await runDemo(ctx.out);
  return 0;
};
