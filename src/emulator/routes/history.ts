/**
 * `GET /api/v2/deployments`, `GET /deployments/by-action`, `GET /deployments/{id}`, `POST /deployments/{id}/rollback` and
 * `GET /dataactions/{id}/revisions[/{version}]`: wiring only; the operations live in handlers/history.ts.
 */
import type { FastifyInstance } from "fastify";
import { servedCapabilities } from "../capabilities.js";
import type { EmulatorContext } from "../context.js";
import { ACTIONS_PATH } from "../handlers/actions.js";
import { HistoryHandlers } from "../handlers/history.js";
import { send } from "../reply.js";

export const DEPLOYMENTS_PATH = "/api/v2/deployments";

export function registerHistoryRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const served = servedCapabilities(ctx.config);
  const history = new HistoryHandlers(ctx);

  if (served.includes("deployments")) {
    app.get(DEPLOYMENTS_PATH, async (request, reply) => {
      const { tenantId } = ctx.authenticate(request, "dataactions:read");
      return send(reply, history.listDeployments(tenantId, request.query));
    });

    // A static segment: fastify matches it before the `:id` route below.
    app.get(`${DEPLOYMENTS_PATH}/by-action`, async (request, reply) => {
      const { tenantId } = ctx.authenticate(request, "dataactions:read");
      return send(reply, history.lastDeploymentByAction(tenantId));
    });

    app.get<{ Params: { id: string } }>(`${DEPLOYMENTS_PATH}/:id`, async (request, reply) => {
      const { tenantId } = ctx.authenticate(request, "dataactions:read");
      return send(reply, history.getDeployment(tenantId, request.params.id));
    });

    app.post<{ Params: { id: string } }>(`${DEPLOYMENTS_PATH}/:id/rollback`, async (request, reply) => {
      ctx.authenticate(request, "dataactions:write");
      const { tenantId } = ctx.authenticate(request, "dataactions:delete");
      const body = request.body ?? {};
      return send(
        reply,
        await ctx.idempotency.run(request, tenantId, body, () =>
          history.rollback(tenantId, request.params.id, body),
        ),
      );
    });
  }

  if (served.includes("revisions")) {
    app.get<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id/revisions`, async (request, reply) => {
      const { tenantId } = ctx.authenticate(request, "dataactions:read");
      return send(reply, history.listRevisions(tenantId, request.params.id, request.query));
    });

    app.get<{ Params: { id: string; version: string } }>(
      `${ACTIONS_PATH}/:id/revisions/:version`,
      async (request, reply) => {
        const { tenantId } = ctx.authenticate(request, "dataactions:read");
        return send(reply, history.getRevision(tenantId, request.params.id, request.params.version));
      },
    );
  }
}
