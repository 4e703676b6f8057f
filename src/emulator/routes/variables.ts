/**
 * Routes of action variables and global variables, and the `variables` expander of
 * action lists: wiring only; the operations live in handlers/variables.ts.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { ACTIONS_PATH } from "../handlers/actions.js";
import { expandVariables, GLOBAL_VARIABLES_PATH, VariableHandlers } from "../handlers/variables.js";
import { jsonBody, send } from "../reply.js";
import { preconditionOf } from "../versioning.js";

export function registerVariableRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const variables = new VariableHandlers(ctx);
  ctx.expand.register("variables", expandVariables);
  const actionPath = `${ACTIONS_PATH}/:id/variables`;

  app.get<{ Params: { id: string } }>(actionPath, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    return send(reply, variables.getAction(tenantId, request.params.id));
  });

  app.put<{ Params: { id: string } }>(actionPath, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request);
    return send(
      reply,
      ctx.store.transaction(() =>
        variables.putAction(preconditionOf(request), tenantId, request.params.id, body),
      ),
    );
  });

  app.post<{ Params: { id: string } }>(`${actionPath}/reencrypt`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:admin");
    const body = request.body ?? {};
    return send(
      reply,
      await ctx.idempotency.run(request, tenantId, body, () =>
        variables.reencryptAction(tenantId, request.params.id),
      ),
    );
  });

  app.get(GLOBAL_VARIABLES_PATH, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    return send(reply, variables.getGlobal(tenantId));
  });

  app.put(GLOBAL_VARIABLES_PATH, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:admin");
    const body = jsonBody(request);
    return send(
      reply,
      ctx.store.transaction(() => variables.putGlobal(preconditionOf(request), tenantId, body)),
    );
  });

  app.post(`${GLOBAL_VARIABLES_PATH}/reencrypt`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:admin");
    const body = request.body ?? {};
    return send(
      reply,
      await ctx.idempotency.run(request, tenantId, body, () => variables.reencryptGlobal(tenantId)),
    );
  });
}
