/**
 * Test hooks under `/_emulator`: served to loopback clients only (the server hook refuses
 * others with 403), no token needed.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { parseFaultRules, parseInvalidationLag } from "../faults.js";
import { ProblemError } from "../problem.js";
import { jsonBody, send } from "../reply.js";

export const TEST_HOOKS_PREFIX = "/_emulator";

export function registerTestHookRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get(`${TEST_HOOKS_PREFIX}/faults`, async (_request, reply) =>
    send(reply, { status: 200, body: { rules: ctx.faults.list() } }),
  );

  app.put(`${TEST_HOOKS_PREFIX}/faults`, async (request, reply) => {
    ctx.faults.set(parseFaultRules(jsonBody(request)));
    return send(reply, { status: 200, body: { rules: ctx.faults.list() } });
  });

  // A slow invalidation listener on this replica: what another replica's write waits for (at most 2 s)
  // and what this replica must not serve stale values through.
  app.put(`${TEST_HOOKS_PREFIX}/invalidation-lag`, async (request, reply) => {
    const delayMs = parseInvalidationLag(jsonBody(request));
    if (ctx.lagInvalidations === undefined)
      throw new ProblemError(
        "invalid-fault",
        "An invalidation lag needs replicas: start the emulator with --database postgres://… (this one keeps its state to itself).",
      );
    ctx.lagInvalidations(delayMs);
    return send(reply, { status: 200, body: { delayMs } });
  });

  app.get(`${TEST_HOOKS_PREFIX}/requests`, async (_request, reply) =>
    send(reply, {
      status: 200,
      body: { requests: ctx.requestLog.list(), dropped: ctx.requestLog.dropped() },
    }),
  );

  // Empties every tenant's data, the request log, the fault rules (and invalidation lag), the rate-limit
  // buckets and token lockouts.
  // Issued tokens stay valid, so clients carry on after a reset.
  app.post(`${TEST_HOOKS_PREFIX}/reset`, async (_request, reply) => {
    ctx.store.resetTenantData();
    ctx.requestLog.clear();
    ctx.faults.clear();
    ctx.lagInvalidations?.(0);
    await ctx.rateLimiter.reset();
    await ctx.tokenGuard.reset();
    await ctx.publishReset?.();
    return send(reply, { status: 204 });
  });
}
