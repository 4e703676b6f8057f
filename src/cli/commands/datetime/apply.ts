import { explainDateTime } from "../../../domain/datetime.js";
import { applyDateProcessing, prepare } from "../../../workflows/datetime.js";
import type { Handler } from "../../command.js";
import { inputFromFlags } from "./flags.js";
import type { apply } from "./index.js";

export const run: Handler<typeof apply> = async (ctx, { args, options }) => {
  const input = inputFromFlags(options);
  const fields = { sourceField: options.sourceField, targetField: options.targetField };
  // Offline checks first: bad input needs no credentials and sends nothing.
  prepare(input, fields);
  const explanation = explainDateTime(input);
  const result = await applyDateProcessing(await ctx.workflow(true), args.ref, input, fields);
  const { action, dateProcessing, latencyMs } = result;
  if (ctx.out.json) {
    ctx.out.result({
      action: { id: action.id, name: action.name, version: action.version },
      dateProcessing,
      offsetBefore: explanation.offsetBefore,
      offsetAfter: explanation.offsetAfter,
      latencyMs,
    });
    return 0;
  }
  ctx.out.line(`applied to ${action.name} (${action.id}), now version ${action.version}, in ${latencyMs} ms`);
  ctx.out.line("config.dateProcessing");
  for (const [key, value] of Object.entries(dateProcessing))
    ctx.out.line(`  ${key.padEnd(16)}${String(value)}`);
  ctx.out.line(
    `UTC offset ${explanation.offsetBefore} before → ${explanation.offsetAfter} after; verified: result − source = ${explanation.operation === "ADD_OFFSET" ? "+" : "−"}${explanation.offsetMinutes} min exactly`,
  );
  return 0;
};
