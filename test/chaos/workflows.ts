/**
 * The workflows the scenarios drive, looked up on the SDK facade at run time: a scenario uses a
 * workflow as soon as it has landed in `src/sdk/workflows.ts`, and reports itself pending before.
 */
import type { Action, ActionInput } from "../../src/client/types.js";
import type { ChaosClient } from "./harness.js";

type AnyFn = (...args: unknown[]) => Promise<unknown>;

export function workflow(client: ChaosClient, name: string): AnyFn | undefined {
  const fn = (client.sdk as unknown as Record<string, unknown>)[name];
  return typeof fn === "function" ? (fn as AnyFn) : undefined;
}

/**
 * Creates an action: through the audited `createAction` workflow when it exists, else with the plain
 * resource call on the unaudited client (so R10 only ever compares workflow writes).
 */
export async function createOne(
  audited: ChaosClient,
  plain: ChaosClient,
  input: ActionInput,
): Promise<Action> {
  const create = workflow(audited, "createAction");
  if (create) {
    const result = (await create(input)) as Action | { action: Action };
    return "action" in result ? result.action : result;
  }
  return (await plain.sdk.actions.create(input)).body;
}
