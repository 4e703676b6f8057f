/** Routes of `/api/v2/dataactions/{id}/builds`: wiring only; the runner is handlers/builds.ts. */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { ACTIONS_PATH } from "../handlers/actions.js";
import type { BuildRunner } from "../handlers/builds.js";
import { jsonBody, send } from "../reply.js";

export function registerBuildRoutes(app: FastifyInstance, ctx: EmulatorContext, builds: BuildRunner): void {
  app.post<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id/builds`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:admin");
    const body = jsonBody(request);
    return send(
      reply,
      await ctx.idempotency.run(request, tenantId, body, () =>
        builds.create(tenantId, request.params.id, body),
      ),
    );
  });

  app.get<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id/builds`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    return send(reply, builds.list(tenantId, request.params.id, request.query));
  });

  app.get<{ Params: { id: string; buildId: string } }>(
    `${ACTIONS_PATH}/:id/builds/:buildId`,
    async (request, reply) => {
      const { tenantId } = ctx.authenticate(request, "dataactions:read");
      return send(reply, builds.get(tenantId, request.params.id, request.params.buildId));
    },
  );

  app.addHook("onReady", async () => builds.resumeUnfinished());
  app.addHook("onClose", async () => builds.close());
}
