/** Reading and deleting actions: the simple workflows of the CLI shell. */
import type { Action } from "../domain/action-schema.js";
import { recorded, type WorkflowContext } from "./operation.js";

export async function listActions(
  ctx: WorkflowContext,
  params: { nameContains?: string } = {},
): Promise<Action[]> {
  return ctx.client.actions.listAll(params.nameContains ? { nameContains: params.nameContains } : {});
}

export async function getAction(ctx: WorkflowContext, ref: string): Promise<Action> {
  return ctx.client.actions.resolve(ref);
}

export async function deleteAction(ctx: WorkflowContext, ref: string): Promise<{ id: string; name: string }> {
  return recorded(ctx, { operation: "actions.delete", target: { name: ref } }, async () => {
    const action = await ctx.client.actions.resolve(ref);
    const response = await ctx.client.actions.delete(action.id, { version: action.version });
    return {
      value: { id: action.id, name: action.name },
      target: { id: action.id, name: action.name },
      response,
      event: (latencyMs) => ({
        type: "action.deleted",
        data: { actionId: action.id, actionName: action.name, latencyMs, version: action.version },
      }),
    };
  });
}
