/** `GET /api/v2/environments`: the environments of the emulator's configuration (§7). */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import type { OverrideHandlers } from "../handlers/overrides.js";
import { send } from "../reply.js";

export function registerEnvironmentRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  overrides: OverrideHandlers,
): void {
  app.get("/api/v2/environments", async (request, reply) => {
    ctx.authenticate(request, "dataactions:read");
    return send(reply, overrides.environments());
  });
}
