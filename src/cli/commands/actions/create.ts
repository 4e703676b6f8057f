/**
 * `cxda actions create`. Exit codes: 0 ok; 65 invalid input (syntax errors printed compiler-style as
 * `FILE:LINE:COLUMN: message`); 1 when the test run ends in FAILURE or TIMEOUT, or could not run (the
 * action then exists: fix it and re-test).
 */
import { ConflictError, CxdaError, ValidationError } from "../../../errors.js";
import { createAction } from "../../../workflows/create-action.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import { STDIN_NAME } from "../../input-file.js";
import type { create } from "./index.js";
import { inFile, parseJsonArgument, printTestResult, readScriptFile, scriptSpec } from "./script-file.js";

export const run: Handler<typeof create> = async (ctx, { options }) => {
  const { name, script: file, testInput: testInputText } = options;
  const testInput =
    testInputText === undefined ? undefined : parseJsonArgument(ctx, "--test-input", testInputText);
  const spec = scriptSpec(name, await readScriptFile(file), options);
  let result: Awaited<ReturnType<typeof createAction>>;
  try {
    result = await createAction(
      await ctx.workflow(true),
      spec,
      testInputText === undefined ? {} : { testInput },
    );
  } catch (error) {
    if (error instanceof ValidationError) throw inFile(error, file === "-" ? STDIN_NAME : file);
    // The API says "choose another name or update that action": the command that updates it.
    if (error instanceof CxdaError && error.slug === "name-conflict")
      throw new ConflictError(
        `${error.message} To change it: cxda actions update ${name} --script ${file === "-" ? "FILE" : file}`,
        {
          ...(error.status === undefined ? {} : { status: error.status }),
          slug: error.slug,
          ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
          attempts: error.attempts,
          cause: error,
        },
      );
    throw error;
  }
  const testFailed =
    result.testError !== undefined || (result.testResult !== null && result.testResult.status !== "SUCCESS");
  const code = testFailed ? EXIT.failed : EXIT.ok;
  if (ctx.out.json) {
    ctx.out.result({ ok: code === EXIT.ok, exitCode: code, ...result });
    return code;
  }
  const a = result.action;
  const retried =
    result.attempts > 1 ? `, ${result.attempts} attempts${result.replayed ? " (replayed)" : ""}` : "";
  ctx.out.line(`created ${a.name} (id ${a.id}, version ${a.version}) in ${result.latencyMs} ms${retried}`);
  if (a.dependencies.length > 0) ctx.out.line(`  depends on ${a.dependencies.join(", ")}`);
  if (result.testResult) printTestResult(ctx, result.testResult);
  if (result.testError) ctx.out.error(`the test could not run: ${result.testError.message}`);
  if (testFailed) ctx.out.info(`the action was created; fix it, then re-run: cxda actions test ${a.name}`);
  return code;
};
