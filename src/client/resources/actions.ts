/** The `/dataactions` resource over the client's request pipeline. */
import type { Action, ActionInput } from "../../domain/action-schema.js";
import { NotFoundError } from "../../errors.js";
import type { ApiResponse, Query, Requester } from "../request-types.js";

export interface ListActionsParams {
  name?: string;
  nameContains?: string;
  /** Sub-resources embedded in each action (`variables`, `environments`); `T` then names their shape. */
  expand?: string[];
  pageSize?: number;
}

export interface ActionsResource {
  list<T = Action>(params?: ListActionsParams): AsyncIterable<T>;
  listAll<T = Action>(params?: ListActionsParams): Promise<T[]>;
  get(id: string): Promise<ApiResponse<Action>>;
  /** Exact `name` filter. */
  findByName(name: string): Promise<Action | undefined>;
  /** An id (uuid-looking) or a name; NotFoundError if neither exists. */
  resolve(ref: string): Promise<Action>;
  create(input: ActionInput, options?: { idempotencyKey?: string }): Promise<ApiResponse<Action>>;
  replace(id: string, input: ActionInput, options: { version: number }): Promise<ApiResponse<Action>>;
  patch(
    id: string,
    patch: Record<string, unknown>,
    options: { version: number },
  ): Promise<ApiResponse<Action>>;
  delete(id: string, options?: { version?: number }): Promise<ApiResponse<void>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ACTIONS_PATH = "/dataactions";

/** `/dataactions/{id}`; sub-resources append to it. */
export function actionPath(id: string): string {
  return `${ACTIONS_PATH}/${encodeURIComponent(id)}`;
}

export function actionsResource(client: Requester): ActionsResource {
  const path = actionPath;

  const list = <T = Action>(params: ListActionsParams = {}): AsyncIterable<T> => {
    const query: Query = {
      name: params.name,
      nameContains: params.nameContains,
      expand: params.expand && params.expand.length > 0 ? params.expand.join(",") : undefined,
    };
    return client.paginate<T>(
      ACTIONS_PATH,
      query,
      params.pageSize === undefined ? {} : { pageSize: params.pageSize },
    );
  };

  const findByName = async (name: string): Promise<Action | undefined> => {
    for await (const action of list<Action>({ name })) if (action.name === name) return action;
    return undefined;
  };

  return {
    list,
    async listAll<T = Action>(params?: ListActionsParams) {
      const out: T[] = [];
      for await (const action of list<T>(params)) out.push(action);
      return out;
    },
    get: (id) => client.request<Action>("GET", path(id)),
    findByName,
    async resolve(ref) {
      if (UUID.test(ref)) {
        try {
          return (await client.request<Action>("GET", path(ref))).body;
        } catch (error) {
          // A name may also look like a UUID (the action name pattern allows it; docs/api.md, Action names): try it as a name.
          if (!(error instanceof NotFoundError)) throw error;
        }
      }
      const found = await findByName(ref);
      if (!found)
        throw new NotFoundError(
          `no action has the id or name "${ref}"; list them with \`cxda actions list\``,
          {
            status: 404,
            slug: "not-found",
          },
        );
      return found;
    },
    create: (input: ActionInput, options = {}) =>
      client.request<Action>("POST", ACTIONS_PATH, {
        body: input,
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      }),
    replace: (id, input, options) =>
      client.request<Action>("PUT", path(id), { body: input, ifMatch: options.version }),
    patch: (id, patch, options) =>
      client.request<Action>("PATCH", path(id), {
        body: patch,
        ifMatch: options.version,
        contentType: "application/merge-patch+json",
      }),
    delete: (id, options = {}) =>
      client.request<void>(
        "DELETE",
        path(id),
        options.version === undefined ? {} : { ifMatch: options.version },
      ),
  };
}
