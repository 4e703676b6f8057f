/** An action's variables, `/dataactions/{id}/variables`: the whole set, read and replaced. */
import type { StoredVariable } from "../../domain/variables.js";
import type { ApiResponse, Requester } from "../request-types.js";
import { actionPath } from "./actions.js";

/** One variable as written; `encrypted` defaults to false and `scope` to the level written to. */
export interface VariableInput {
  name: string;
  type: "string" | "integer" | "boolean" | "object";
  value: string;
  encrypted?: boolean;
  scope?: "action" | "global";
}

export interface ActionVariables {
  actionId: string;
  version: number;
  variables: StoredVariable[];
}

/** The answer to a re-encryption: the set as stored, the active key and the names moved to it. */
export type Reencrypted<T> = T & { activeKeyId: string; reencrypted: string[] };

export interface VariablesResource {
  get(actionId: string): Promise<ApiResponse<ActionVariables>>;
  /** Replaces the whole set; `version` (the one read) makes a concurrent write a 409 `version-conflict`. */
  replace(
    actionId: string,
    variables: readonly VariableInput[],
    options: { version: number },
  ): Promise<ApiResponse<ActionVariables>>;
  /** Re-encrypts the action's secrets under the active key (dataactions:admin). */
  reencrypt(actionId: string): Promise<ApiResponse<Reencrypted<ActionVariables>>>;
}

export function variablesResource(client: Requester): VariablesResource {
  const path = (actionId: string) => `${actionPath(actionId)}/variables`;
  return {
    get: (actionId) => client.request<ActionVariables>("GET", path(actionId)),
    replace: (actionId, variables, options) =>
      client.request<ActionVariables>("PUT", path(actionId), {
        body: { variables, version: options.version },
      }),
    reencrypt: (actionId) =>
      client.request<Reencrypted<ActionVariables>>("POST", `${path(actionId)}/reencrypt`, { body: {} }),
  };
}
