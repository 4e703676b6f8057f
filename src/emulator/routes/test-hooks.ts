/**
 * Test hooks under `/_emulator`: served to loopback clients only (the server hook refuses
 * others with 403), no token needed.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { parseFaultRules } from "../faults.js";
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

  app.get(`${TEST_HOOKS_PREFIX}/requests`, async (_request, reply) =>
    send(reply, {
      status: 200,
      body: { requests: ctx.requestLog.list(), dropped: ctx.requestLog.dropped() },
    }),
  );

  // Empties every tenant's data, the request log, the fault rules, the rate-limit buckets and token lockouts.
  // Issued tokens stay valid, so clients carry on after a reset.
  app.post(`${TEST_HOOKS_PREFIX}/reset`, async (_request, reply) => {
    ctx.store.resetTenantData();
    ctx.requestLog.clear();
    ctx.faults.clear();
    await ctx.rateLimiter.reset();
    await ctx.tokenGuard.reset();
    await ctx.publishReset?.();
    return send(reply, { status: 204 });
  });
}
