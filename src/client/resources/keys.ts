/** The tenant's data keys, `/keys`: list them, rotate to a new active key (dataactions:admin). */
import type { ApiResponse, Requester } from "../request-types.js";

export interface KeyList {
  activeKeyId: string;
  keys: { keyId: string; createdTimestamp: number }[];
}

export type KeyRotation = KeyList & { previousKeyId: string };

export interface KeysResource {
  list(): Promise<ApiResponse<KeyList>>;
  rotate(): Promise<ApiResponse<KeyRotation>>;
}

export function keysResource(client: Requester): KeysResource {
  return {
    list: () => client.request<KeyList>("GET", "/keys"),
    rotate: () => client.request<KeyRotation>("POST", "/keys/rotate", { body: {} }),
  };
}
