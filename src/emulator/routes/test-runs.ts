/** Route of `POST /api/v2/dataactions/{id}/test`: wiring only; the run lives in handlers/test-runs.ts. */
import type { FastifyInstance } from "fastify";
import { EXECUTE_SCOPE } from "../auth/authenticate.js";
import type { EmulatorContext } from "../context.js";
import { ACTIONS_PATH } from "../handlers/actions.js";
import { parseTestRunBody, TestRunHandlers } from "../handlers/test-runs.js";
import { jsonBody, send } from "../reply.js";

export function registerTestRunRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const testRuns = new TestRunHandlers(ctx);

  app.post<{ Params: { id: string } }>(`${ACTIONS_PATH}/:id/test`, async (request, reply) => {
    const { tenantId, scopes } = ctx.authenticate(request, "dataactions:write");
    const caller = { decryptSecrets: scopes.includes(EXECUTE_SCOPE) };
    const body = jsonBody(request);
    // Checked before the idempotency guard: its fingerprint walks the body, and a bad body is a 400 anyway.
    const parsed = parseTestRunBody(body, ctx.config);
    return send(
      reply,
      await ctx.idempotency.runAsync(request, tenantId, body, () =>
        testRuns.run(tenantId, request.params.id, parsed, caller),
      ),
    );
  });
}
