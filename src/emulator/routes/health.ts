/**
 * `GET /healthz` (the process is up) and `GET /readyz` (the database answers): the probes a load balancer or an orchestrator polls. Neither needs a token nor counts
 * against a client's rate limit, and neither says anything about tenants.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { ProblemError } from "../problem.js";
import { send } from "../reply.js";

export const HEALTHZ_PATH = "/healthz";
export const READYZ_PATH = "/readyz";

/** How long a balancer should wait before asking /readyz again. */
const NOT_READY_RETRY_AFTER_SECONDS = 1;

export function registerHealthRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get(HEALTHZ_PATH, async (_request, reply) =>
    send(reply, { status: 200, body: { status: "ok", replica: ctx.replicaId } }),
  );
  app.get(READYZ_PATH, async (_request, reply) => {
    const retry = { headers: { "retry-after": String(NOT_READY_RETRY_AFTER_SECONDS) }, status: 503 };
    try {
      ctx.store.ping();
    } catch {
      throw new ProblemError(
        "service-unavailable",
        "The emulator's database does not answer; requests will fail until it does.",
        retry,
      );
    }
    return send(reply, { status: 200, body: { status: "ready", checks: { database: "ok" } } });
  });
}
