/** The tenant's environments, `GET /environments`. */
import type { ApiResponse, Requester } from "../request-types.js";

export interface Environment {
  id: string;
  name: string;
  order: number;
  buildOnChange: boolean;
}

export interface EnvironmentsResource {
  /** In the server's order; `order` says the promotion order. */
  list(): Promise<ApiResponse<Environment[]>>;
}

export function environmentsResource(client: Requester): EnvironmentsResource {
  return { list: () => client.request<Environment[]>("GET", "/environments") };
}
