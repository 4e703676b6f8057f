/** `cxda actions test`: exit 1 when the run ends in FAILURE or TIMEOUT. */
import { testAction } from "../../../workflows/test-action.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import type { test } from "./index.js";
import { parseJsonArgument, printTestResult } from "./script-file.js";

export const run: Handler<typeof test> = async (ctx, { args, options }) => {
  const input = options.input === undefined ? null : parseJsonArgument(ctx, "--input", options.input);
  const environmentId = options.env;
  const result = await testAction(await ctx.workflow(false), args.ref, {
    input,
    ...(environmentId === undefined ? {} : { environmentId }),
  });
  const code = result.result.status === "SUCCESS" ? EXIT.ok : EXIT.failed;
  if (ctx.out.json) {
    ctx.out.result({ ok: code === EXIT.ok, exitCode: code, ...result });
    return code;
  }
  ctx.out.line(
    `${result.action.name} (${result.action.type})${environmentId === undefined ? "" : ` in ${environmentId}`}`,
  );
  printTestResult(ctx, result.result);
  return code;
};
