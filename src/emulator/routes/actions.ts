/** Routes of `/api/v2/dataactions`: wiring only; the operations live in handlers/actions.ts. */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { ACTIONS_PATH, ActionHandlers } from "../handlers/actions.js";
import { parseListQuery } from "../handlers/list-query.js";
import { jsonBody, send } from "../reply.js";
import { preconditionOf } from "../versioning.js";

export function registerActionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const actions = new ActionHandlers(ctx.store, ctx.clock);

  app.get(ACTIONS_PATH, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    const query = parseListQuery(request.query);
    const expand = ctx.expand.parse(query.expand);
    const { rows, total } = ctx.store.actions.list(tenantId, {
      ...(query.name === undefined ? {} : { name: query.name }),
      ...(query.nameContains === undefined ? {} : { nameContains: query.nameContains }),
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
    });
    const tail = `"page":${query.page},"pageSize":${query.pageSize},"total":${total}`;
    if (expand.length === 0)
      return send(reply, {
        status: 200,
        rawJson: `{"entities":[${rows.map((r) => r.doc).join(",")}],${tail}}`,
      });
    const docs = rows.map((r) => JSON.parse(r.doc) as Record<string, unknown>);
    ctx.expand.apply(expand, rows, docs, { store: ctx.store, tenantId });
    return send(reply, { status: 200, rawJson: `{"entities":${JSON.stringify(docs)},${tail}}` });
  });

  app.post(ACTIONS_PATH, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request);
    return send(
      reply,
      await ctx.idempotency.run(request, tenantId, body, () => actions.create(tenantId, body)),
    );
  });

  // Not async: the busiest route answers without a promise of its own (bench B4).
  app.get<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id`, (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    send(reply, actions.get(tenantId, request.params.id));
  });

  // A write's read, version check and write are one transaction: on PostgreSQL another replica's
  // write of the same resource waits for it (or it for that one), so If-Match never loses an update.
  app.put<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request);
    return send(
      reply,
      ctx.store.transaction(() =>
        actions.replace(preconditionOf(request), tenantId, request.params.id, body),
      ),
    );
  });

  app.patch<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request, { mergePatch: true });
    return send(
      reply,
      ctx.store.transaction(() => actions.patch(preconditionOf(request), tenantId, request.params.id, body)),
    );
  });

  app.delete<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:delete");
    return send(
      reply,
      ctx.store.transaction(() => actions.remove(preconditionOf(request), tenantId, request.params.id)),
    );
  });
}
