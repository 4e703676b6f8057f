/** Routes of `/api/v2/keys`: wiring only; the operations live in handlers/keys.ts. */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { KEYS_PATH, KeyHandlers } from "../handlers/keys.js";
import { send } from "../reply.js";

export function registerKeyRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const keys = new KeyHandlers(ctx);

  app.get(KEYS_PATH, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    return send(reply, keys.list(tenantId));
  });

  app.post(`${KEYS_PATH}/rotate`, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:admin");
    const body = request.body ?? {};
    return send(reply, await ctx.idempotency.run(request, tenantId, body, () => keys.rotate(tenantId)));
  });
}
