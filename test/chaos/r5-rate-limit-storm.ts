/**
 * R5: a 429 storm — the emulator allows 60 requests/min (burst 5) to one client id, and 10 workers, each
 * its own SDK instance of that client, hammer it. Every operation succeeds, and no instance sends a
 * request before the Retry-After of a 429 it received has passed (its send times joined with the
 * emulator's request log by request id).
 */
import {
  actionInput,
  atLeast,
  type ChaosClient,
  type ChaosRun,
  chaosClient,
  exactly,
  type Figure,
  info,
  requestLog,
} from "./harness.js";
import type { ChaosSize } from "./sizes.js";
import { workflow } from "./workflows.js";

/** Date.now() has 1 ms steps; the pause starts in the same tick the 429 is seen. */
const CLOCK_STEP_MS = 1;

export async function runR5(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r5", { rateLimit: { perMinute: 60, burst: 5 } });
  const auditLog = run.auditPath("r5");
  const workers: ChaosClient[] = [];
  try {
    for (let w = 0; w < size.r5Workers; w++) workers.push(chaosClient(run, emulator, "sdk", { auditLog }));
    let succeeded = 0;
    const errors: unknown[] = [];
    await Promise.all(
      workers.map(async (c, w) => {
        for (let i = 0; i < size.r5OpsPerWorker; i++) {
          try {
            const create = workflow(c, "createAction");
            if (i % 2 === 0 && create) await create(actionInput(`r5_w${w}_${i}`));
            else await c.sdk.request("GET", "/dataactions", { query: { pageSize: 1 } });
            succeeded += 1;
          } catch (error) {
            errors.push(error);
          }
        }
      }),
    );
    const log = await requestLog(emulator);
    run.requestLogs.push({ scenario: "R5", auditLog, requests: log });
    const retryAfter = new Map<string, number>();
    for (const e of log) if (e.status === 429) retryAfter.set(e.requestId, e.retryAfter ?? 1);
    let early = 0;
    for (const c of workers) {
      const windows = c.trace.answered
        .filter((a) => a.status === 429)
        .map((a) => ({ from: a.at, until: a.at + (retryAfter.get(a.requestId ?? "") ?? 1) * 1000 }));
      for (const s of c.trace.sent)
        if (
          s.url.includes("/api/v2/") &&
          windows.some((w) => s.at > w.from && s.at < w.until - CLOCK_STEP_MS)
        )
          early += 1;
    }
    const figures = [
      exactly("R5", "operations succeeded", succeeded, size.r5Workers * size.r5OpsPerWorker),
      exactly("R5", "operations failed", errors.length, 0),
      atLeast("R5", "429 answers (the storm)", retryAfter.size, 1),
      exactly("R5", "requests sent before Retry-After passed", early, 0),
      info("R5", "API requests in the log", log.filter((e) => e.path.startsWith("/api/v2/")).length),
    ];
    if (errors[0] !== undefined) figures.push(info("R5", "first error", String(errors[0])));
    return figures;
  } finally {
    for (const c of workers) await c.close();
    await emulator.close();
  }
}
