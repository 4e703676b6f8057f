import { explainDateTime } from "../../../domain/datetime.js";
import type { Handler } from "../../command.js";
import { formatExplanation, inputFromFlags } from "./flags.js";
import type { compute } from "./index.js";

export const run: Handler<typeof compute> = async (ctx, { options }) => {
  const explanation = explainDateTime(inputFromFlags(options));
  if (ctx.out.json) ctx.out.result({ ...explanation });
  else for (const line of formatExplanation(explanation)) ctx.out.line(line);
  return 0;
};
