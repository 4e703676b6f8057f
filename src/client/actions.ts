/** The `/dataactions` resource (SPEC §4) over the client's request pipeline. */
import { NotFoundError } from "../errors.js";
import type { Action, ActionInput, ActionsResource, CxdaClient, ListActionsParams, Query } from "./types.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function actionsResource(client: Pick<CxdaClient, "request" | "paginate">): ActionsResource {
  const path = (id: string) => `/dataactions/${encodeURIComponent(id)}`;

  const list = (params: ListActionsParams = {}): AsyncIterable<Action> => {
    const query: Query = {
      name: params.name,
      nameContains: params.nameContains,
      expand: params.expand && params.expand.length > 0 ? params.expand.join(",") : undefined,
    };
    return client.paginate<Action>(
      "/dataactions",
      query,
      params.pageSize === undefined ? {} : { pageSize: params.pageSize },
    );
  };

  const findByName = async (name: string): Promise<Action | undefined> => {
    for await (const action of list({ name })) if (action.name === name) return action;
    return undefined;
  };

  return {
    list,
    async listAll(params) {
      const out: Action[] = [];
      for await (const action of list(params)) out.push(action);
      return out;
    },
    get: (id) => client.request<Action>("GET", path(id)),
    findByName,
    async resolve(ref) {
      if (UUID.test(ref)) {
        try {
          return (await client.request<Action>("GET", path(ref))).body;
        } catch (error) {
          // A name may also look like a UUID (SPEC §4's name pattern allows it): try it as a name.
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
      client.request<Action>("POST", "/dataactions", {
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
