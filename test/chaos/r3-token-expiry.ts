/**
 * R3: a mixed workload with a token TTL of 2 s — 0 authentication errors surfaced; every token is
 * replaced before it expires (no request leaves with an expired token) and every 401 is followed by a
 * refresh and a retry.
 */
import { AuthenticationError, CxdaError } from "../../src/errors.js";
import {
  actionInput,
  atLeast,
  type ChaosRun,
  chaosClient,
  exactly,
  type Figure,
  info,
  requestLog,
} from "./harness.js";
import type { ChaosSize } from "./sizes.js";
import { createOne, workflow } from "./workflows.js";

const TTL_SECONDS = 2;

export async function runR3(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r3", { tokenTtlSeconds: TTL_SECONDS });
  const auditLog = run.auditPath("r3");
  const audited = chaosClient(run, emulator, "sdk", { auditLog });
  const plain = chaosClient(run, emulator, "raw");
  const errors: unknown[] = [];
  let operations = 0;
  try {
    const deadline = Date.now() + size.r3Seconds * 1000;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        try {
          const name = `r3_w${w}_${i}`;
          const action = await createOne(audited, plain, actionInput(name));
          const got = await plain.sdk.actions.get(action.id);
          await plain.sdk.actions.patch(
            action.id,
            { description: `edit ${i}` },
            { version: got.version ?? 1 },
          );
          await plain.sdk.actions.listAll({ nameContains: `r3_w${w}_` });
          const remove = workflow(audited, "deleteAction");
          if (remove) await remove(action.id);
          operations += 5;
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    const log = await requestLog(emulator);
    run.requestLogs.push({ scenario: "R3", auditLog, requests: log });
    const authErrors = errors.filter(
      (e) => e instanceof AuthenticationError || (e instanceof CxdaError && e.status === 401),
    );
    const api401 = log.filter((e) => e.path.startsWith("/api/v2/") && e.status === 401).length;
    const tokenRetries = [audited, plain].reduce(
      (n, c) => n + c.trace.retries.filter((r) => r.reason === "token-expired").length,
      0,
    );
    const tokenFetches = log.filter((e) => e.path === "/oauth2/token" && e.status === 200).length;
    // A token counts as expired once TTL has passed since the client received it (the server issued it earlier still).
    let expiredSends = 0;
    for (const c of [audited, plain])
      for (const sent of c.trace.tokensSent) {
        const issued = run.secrets.collected.get(sent.token)?.at;
        if (issued === undefined || sent.at - issued >= TTL_SECONDS * 1000) expiredSends += 1;
      }
    const figures = [
      exactly("R3", "authentication errors surfaced", authErrors.length, 0),
      exactly("R3", "other errors surfaced", errors.length - authErrors.length, 0),
      atLeast("R3", "operations completed", operations, 5),
      atLeast("R3", "token fetches", tokenFetches, Math.floor(size.r3Seconds / TTL_SECONDS)),
      exactly("R3", "API requests sent with an expired token", expiredSends, 0),
      info("R3", "401 answers from the API", api401),
      exactly("R3", "401s not answered by refresh + retry", Math.max(0, api401 - tokenRetries), 0),
    ];
    const first = errors[0];
    if (first !== undefined) figures.push(info("R3", "first error", String(first)));
    return figures;
  } finally {
    await audited.close();
    await plain.close();
    await emulator.close();
  }
}
