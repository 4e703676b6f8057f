/** The tenant's global variables, `/variables` (writes need dataactions:admin). */
import type { StoredVariable } from "../../domain/variables.js";
import type { ApiResponse, Requester } from "../request-types.js";
import type { Reencrypted, VariableInput } from "./variables.js";

export interface GlobalVariables {
  version: number;
  variables: StoredVariable[];
}

export interface GlobalVariablesResource {
  get(): Promise<ApiResponse<GlobalVariables>>;
  /** Replaces the whole set; `version` (the one read) makes a concurrent write a 409 `version-conflict`. */
  replace(
    variables: readonly VariableInput[],
    options: { version: number },
  ): Promise<ApiResponse<GlobalVariables>>;
  /** Re-encrypts the global secrets under the active key. */
  reencrypt(): Promise<ApiResponse<Reencrypted<GlobalVariables>>>;
}

const PATH = "/variables";

export function globalVariablesResource(client: Requester): GlobalVariablesResource {
  return {
    get: () => client.request<GlobalVariables>("GET", PATH),
    replace: (variables, options) =>
      client.request<GlobalVariables>("PUT", PATH, { body: { variables, version: options.version } }),
    reencrypt: () => client.request<Reencrypted<GlobalVariables>>("POST", `${PATH}/reencrypt`, { body: {} }),
  };
}
