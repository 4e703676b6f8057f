/**
 * B11: sandbox test runs per second with two replicas against one, both on PostgreSQL. Two replica
 * processes on one fresh database; the round-robin proxy of `cxda emulator proxy` (in this process)
 * in front of one of them (the baseline) or of both. The same load goes through a proxy either way:
 * `CONNECTIONS` clients posting test runs of a small CPU-bound script, for `SECONDS`, interleaved pairs
 * (which side goes first alternating). A run refused for a full sandbox (503/429) does not count.
 * Target ≥ 1.6× on this 2-core machine. `B11_PAIRS` / `B11_SECONDS` override the defaults.
 */
import autocannon from "autocannon";
import { startRoundRobinProxy } from "../dist/emulator/replicas/round-robin-proxy.js";
import { call, getToken, UNLIMITED } from "./lib/api.mjs";
import { freshDatabase } from "./lib/postgres.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "sandbox test runs/s, 2 replicas vs 1 (PostgreSQL)";
export const TARGET = "≥ 1.6 × one replica";
const CONNECTIONS = 16;
const SECONDS = Number(process.env.B11_SECONDS ?? 4);
const RUNS = Number(process.env.B11_PAIRS ?? 7);
const SCRIPT =
  "function main(context) { let x = 0; for (let i = 0; i < 300000; i++) x = (x + i * 7) % 1000003; return { x, input: context.input }; }";

async function load(url, headers) {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ input: { n: 1 } }),
  });
  const ok = result["2xx"];
  if (ok === 0)
    throw new Error(`${url}: no test run succeeded (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return { perSecond: ok / SECONDS, refused: result.non2xx, errors: result.errors };
}

export async function run({ log }) {
  const database = await freshDatabase();
  const replicas = [];
  const proxies = [];
  try {
    const options = { database: database.url, rateLimit: UNLIMITED };
    replicas.push(await startEmulatorProcess({ ...options, replicaId: "b11-a" }));
    replicas.push(await startEmulatorProcess({ ...options, replicaId: "b11-b" }));
    const one = await startRoundRobinProxy({ replicas: [replicas[0].url], port: 0 });
    const two = await startRoundRobinProxy({ replicas: replicas.map((r) => r.url), port: 0 });
    proxies.push(one, two);
    const token = await getToken(two.url);
    const created = await call(two.url, token, "POST", "/api/v2/dataactions", {
      name: "bench_b11",
      type: "SCRIPT",
      script: { language: "JavaScript", content: SCRIPT },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text.slice(0, 200)}`);
    const path = `/api/v2/dataactions/${created.body.id}/test`;
    const headers = { authorization: `Bearer ${token}` };
    await load(`${one.url}${path}`, headers);
    await load(`${two.url}${path}`, headers);
    const single = [];
    const double = [];
    const ratios = [];
    for (let i = 0; i < RUNS; i += 1) {
      let s;
      let d;
      if (i % 2 === 0) {
        s = await load(`${one.url}${path}`, headers);
        d = await load(`${two.url}${path}`, headers);
      } else {
        d = await load(`${two.url}${path}`, headers);
        s = await load(`${one.url}${path}`, headers);
      }
      single.push(s.perSecond);
      double.push(d.perSecond);
      ratios.push(d.perSecond / s.perSecond);
      log(
        `run ${i + 1}: 2 replicas ${d.perSecond.toFixed(1)} runs/s (${d.refused} refused), 1 replica ${s.perSecond.toFixed(1)} runs/s (${s.refused} refused)`,
      );
    }
    const pr = pairRatio(ratios);
    log(
      `ratio ${pr.median.toFixed(3)} (${pr.min.toFixed(3)}–${pr.max.toFixed(3)}, spread ±${(pr.spread * 100).toFixed(0)} %)`,
    );
    return [
      {
        id: "B11",
        key: "B11.1",
        figure: "sandbox test runs/s, 2 replicas behind a round-robin proxy (PostgreSQL)",
        unit: "runs/s",
        status: pr.conclusive ? "ok" : "inconclusive",
        measured: summarize(double),
        baseline: { label: "1 replica behind the same proxy", unit: "runs/s", ...summarize(single) },
        ratio: pr.median,
        ratioRange: { min: pr.min, max: pr.max, spread: pr.spread, runs: pr.runs },
        target: TARGET,
        met: verdict(pr, (r) => r >= 1.6),
        note: `ratio = median of ${RUNS} interleaved ${SECONDS} s pairs, ${CONNECTIONS} connections, default sandbox (2 workers per replica)`,
      },
    ];
  } finally {
    for (const p of proxies) await p.close();
    for (const r of replicas) await r.close();
    await database.drop();
  }
}
