/**
 * R20: the database goes away during load. By default every connection of the replicas is ended
 * (`pg_terminate_backend`, what clients see of a restart) so that other suites sharing the server are
 * not disturbed; with `CXDA_CHAOS_R20_RESTART=1` (for `npm run chaos` on a machine of its own, as root)
 * the local cluster itself is restarted (`pg_ctlcluster … restart`), which also refuses new connections
 * while it is down. Requests fail with 503 and Retry-After, never a 500 or a hang, and the SDK's retries
 * carry every idempotent operation through.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";

import { terminateConnections } from "../../helpers/postgres.js";
import { actionInput, type ChaosClient, chaosClient, exactly, type Figure, info, pool } from "../harness.js";
import type { ChaosSize } from "../sizes.js";
import type { ReplicaChaosRun } from "./replica-run.js";

const RESTART = process.env.CXDA_CHAOS_R20_RESTART === "1";

/** Restarts the machine's PostgreSQL cluster (Debian's pg_ctlcluster); resolves once it answers again. */
async function restartCluster(): Promise<void> {
  const version = readdirSync("/etc/postgresql")[0];
  if (version === undefined) throw new Error("CXDA_CHAOS_R20_RESTART: no cluster under /etc/postgresql");
  await promisify(execFile)("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "restart"]);
}

export async function runR20(run: ReplicaChaosRun, size: ChaosSize): Promise<Figure[]> {
  const { emulator, database } = await run.replicated();
  const clients: ChaosClient[] = [];
  try {
    const workers = 6;
    for (let w = 0; w < workers; w++) clients.push(chaosClient(run, emulator, "sdk"));
    const plain = chaosClient(run, emulator, "raw");
    clients.push(plain);
    const seed = (await plain.sdk.actions.create(actionInput("r20_read"))).body;
    const acked = new Set<string>();
    const failures: unknown[] = [];
    let slowest = 0;
    let stop = false;
    let terminated = 0;
    const outages = (async () => {
      for (let k = 0; k < size.r20Outages && !stop; k++) {
        await new Promise((r) => setTimeout(r, RESTART ? 1500 : 400));
        if (RESTART) {
          await restartCluster();
          terminated += 1;
        } else terminated += await terminateConnections(database.name);
      }
    })();
    await pool(size.r20Operations, workers, async (i) => {
      const client = clients[i % workers]!;
      const started = Date.now();
      try {
        if (i % 2 === 0) {
          const name = `r20_c_${i}`;
          await client.sdk.actions.create(actionInput(name));
          acked.add(name);
        } else await client.sdk.actions.get(seed.id);
      } catch (error) {
        failures.push(error);
      } finally {
        slowest = Math.max(slowest, Date.now() - started);
      }
    });
    stop = true;
    await outages;
    const listed = await plain.sdk.actions.listAll({ nameContains: "r20_c_", pageSize: 100 });
    const names = new Set(listed.map((a) => a.name));
    const answers = clients.flatMap((c) => c.trace.answered);
    const unavailable = answers.filter((a) => a.status === 503).length;
    const retriedWithDelay = clients
      .flatMap((c) => c.trace.retries)
      .filter((r) => r.status === 503 && r.delayMs >= 1000).length;
    const figures: Figure[] = [
      exactly("R20", "500 answers", answers.filter((a) => a.status === 500).length, 0),
      exactly("R20", "operations failed after the SDK's retries", failures.length, 0),
      exactly("R20", "acknowledged creates missing", [...acked].filter((n) => !names.has(n)).length, 0),
      exactly("R20", "duplicate actions", listed.length - names.size, 0),
      exactly(
        "R20",
        "503 retries that waited less than Retry-After (1 s)",
        clients.flatMap((c) => c.trace.retries).filter((r) => r.status === 503 && r.delayMs < 1000).length,
        0,
      ),
      info("R20", RESTART ? "cluster restarts" : "connections ended", terminated),
      info("R20", "503 answers (each with Retry-After)", unavailable),
      info("R20", "503 retries after ≥ 1 s", retriedWithDelay),
      info("R20", "slowest operation, ms (no hang)", slowest),
    ];
    const first = failures[0];
    if (first !== undefined) figures.push(info("R20", "first failure", String(first)));
    return figures;
  } finally {
    for (const c of clients) await c.close();
    await emulator.close();
  }
}
