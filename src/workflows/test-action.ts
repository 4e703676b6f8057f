/**
 * A sandboxed test run of an action (`POST /dataactions/{id}/test`). Not audited: a test run
 * changes nothing on the server (the audit log records mutating operations); `createAction`
 * records the test it runs in its own `actions.create` line.
 */
import type { TestRunResult } from "../client/resources/test-runs.js";
import type { Action } from "../domain/action-schema.js";
import type { WorkflowContext } from "./operation.js";

export type { TestRunResult, TestRunStatus } from "../client/resources/test-runs.js";

export interface TestActionOptions {
  /** Passed to `main` as `context.input` (any JSON; default null). */
  input?: unknown;
  /** Environment whose overrides and settings the run sees. */
  environmentId?: string;
}

export interface TestActionResult {
  action: { id: string; name: string; type: Action["type"] };
  result: TestRunResult;
  /** HTTP attempts of the test request (retries of a full sandbox queue included). */
  attempts: number;
  latencyMs: number;
}

/** Runs the test of an action already resolved to its id (shared by `testAction` and `createAction`). */
export async function runTest(
  ctx: WorkflowContext,
  actionId: string,
  options: TestActionOptions = {},
): Promise<{ result: TestRunResult; attempts: number; latencyMs: number }> {
  const response = await ctx.client.testRuns.create(actionId, {
    input: options.input === undefined ? null : options.input,
    ...(options.environmentId === undefined ? {} : { environmentId: options.environmentId }),
  });
  return { result: response.body, attempts: response.attempts, latencyMs: response.latencyMs };
}

/** `cxda actions test <ref>`: resolves the action by name or id, then runs its test. */
export async function testAction(
  ctx: WorkflowContext,
  ref: string,
  options: TestActionOptions = {},
): Promise<TestActionResult> {
  const action = await ctx.client.actions.resolve(ref);
  const run = await runTest(ctx, action.id, options);
  return { action: { id: action.id, name: action.name, type: action.type }, ...run };
}
