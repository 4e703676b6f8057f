/** `GET /api/v2`: the API version and the capabilities served (docs/api.md "Capabilities"). */
import type { FastifyInstance } from "fastify";
import type { ApiIndex } from "../../domain/capabilities.js";
import { servedCapabilities } from "../capabilities.js";
import type { EmulatorContext } from "../context.js";
import { send } from "../reply.js";

export const API_INDEX_PATH = "/api/v2";

export function registerApiIndexRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const index: ApiIndex = { apiVersion: "v2", capabilities: servedCapabilities(ctx.config) };
  app.get(API_INDEX_PATH, async (request, reply) => {
    ctx.authenticate(request, "dataactions:read");
    return send(reply, { status: 200, body: index });
  });
}
