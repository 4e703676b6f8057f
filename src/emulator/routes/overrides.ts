/**
 * Routes of `/api/v2/dataactions/{id}/environments/{envId}/variables`, `GET /environments`
 * (§6.1), builds (§6.5), and the `environments` expander of action lists (§3): wiring only.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { ACTIONS_PATH } from "../handlers/actions.js";
import { BuildRunner } from "../handlers/builds.js";
import { OverrideHandlers, publicOverride } from "../handlers/overrides.js";
import { jsonBody, send } from "../reply.js";
import { preconditionOf } from "../versioning.js";
import { registerBuildRoutes } from "./builds.js";
import { registerEnvironmentRoutes } from "./environments.js";

type Params = { id: string; envId: string };

/** Registers the routes; answers the build runner, which changesets queue their builds with. */
export function registerOverrideRoutes(app: FastifyInstance, ctx: EmulatorContext): BuildRunner {
  // Replicas (they announce their writes to each other) run builds from one database.
  const builds = new BuildRunner(ctx, ctx.replicaWrites !== undefined);
  const overrides = new OverrideHandlers(ctx, (tenantId, action, environmentId, trigger) =>
    builds.enqueue(tenantId, action, environmentId, trigger),
  );
  const path = `${ACTIONS_PATH}/:id/environments/:envId/variables`;

  app.get<{ Params: Params }>(path, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    return send(reply, overrides.get(tenantId, request.params.id, request.params.envId));
  });

  app.put<{ Params: Params }>(path, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request);
    return send(
      reply,
      ctx.store.transaction(() =>
        overrides.put(preconditionOf(request), tenantId, request.params.id, request.params.envId, body),
      ),
    );
  });

  app.patch<{ Params: Params }>(path, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request, { mergePatch: true });
    return send(
      reply,
      ctx.store.transaction(() =>
        overrides.patch(preconditionOf(request), tenantId, request.params.id, request.params.envId, body),
      ),
    );
  });

  app.post<{ Params: Params }>(`${path}/promote`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:write");
    const body = jsonBody(request);
    return send(
      reply,
      await ctx.idempotency.run(request, tenantId, body, () =>
        overrides.promote(preconditionOf(request), tenantId, request.params.id, request.params.envId, body),
      ),
    );
  });

  // expand=environments: every environment's overrides of each action, masked values as "***".
  ctx.expand.register("environments", (actions, { store, tenantId }) => {
    const sets = store.overrides.listForActions(
      tenantId,
      actions.map((a) => a.id),
    );
    return actions.map((action) => {
      const embedded: Record<string, unknown> = {};
      for (const env of ctx.config.environments) {
        const set = sets.find((s) => s.actionId === action.id && s.environmentId === env.id);
        embedded[env.id] = { version: set?.version ?? 1, variables: (set?.items ?? []).map(publicOverride) };
      }
      return embedded;
    });
  });

  registerEnvironmentRoutes(app, ctx, overrides);
  registerBuildRoutes(app, ctx, builds);
  return builds;
}
