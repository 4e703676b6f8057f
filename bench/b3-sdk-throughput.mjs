/**
 * B3: SDK GET throughput at concurrency 16 against an unthrottled emulator (child process), against
 * raw `undici.request` with the same Agent settings (undici defaults on both sides) and the same body
 * handling (JSON parsed). Target ≥ 0.95 × raw (issue 21). Sides alternate so machine load hits both
 * alike; the ratio is the median of the pairs' ratios, with their spread (wider than ±10 %:
 * inconclusive). `B3_PAIRS` / `B3_MS` override the number and length of the pairs.
 */
import { Agent, request } from "undici";
import { createClient } from "../dist/index.js";
import { actionPayload, call, DEMO_CLIENT, getToken, UNLIMITED } from "./lib/api.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "SDK GET throughput (c=16)";
export const TARGET = "≥ 0.95 × raw undici";
const CONCURRENCY = 16;
const RUN_MS = Number(process.env.B3_MS ?? 2000);
// Long enough for both sides to reach steady state (JIT, connection pool): the first second of the
// SDK side still runs at about 60 % of its warm speed.
const WARMUP_MS = 3000;
/** Short interleaved pairs: the ratio is the median of per-pair ratios, robust to load that drifts. */
const RUNS = Number(process.env.B3_PAIRS ?? 14);

/**
 * Requests per second completed by CONCURRENCY loops of `once` during `ms`, and this process's CPU
 * microseconds per request (the client's own cost: steadier than throughput on a shared machine).
 */
async function throughput(once, ms) {
  const deadline = Date.now() + ms;
  let done = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        await once();
        done += 1;
      }
    }),
  );
  const rps = done / (Number(process.hrtime.bigint() - start) / 1e9);
  const cpu = process.cpuUsage(cpu0);
  return { rps, cpuPerRequest: (cpu.user + cpu.system) / done };
}

export async function run({ log }) {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  const agent = new Agent();
  const client = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret },
    maxConcurrency: CONCURRENCY,
  });
  try {
    const token = await getToken(emulator.url);
    const created = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload("bench_b3"));
    const id = created.body.id;
    const url = `${emulator.url}/api/v2/dataactions/${id}`;
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    const raw = async () => {
      const res = await request(url, { headers, dispatcher: agent });
      const body = await res.body.json();
      if (res.statusCode !== 200 || body.id !== id) throw new Error(`raw GET answered ${res.statusCode}`);
    };
    const sdk = async () => {
      const res = await client.actions.get(id);
      if (res.body.id !== id) throw new Error("SDK GET returned another action");
    };
    await throughput(raw, WARMUP_MS);
    await throughput(sdk, WARMUP_MS);
    const rawRuns = [];
    const sdkRuns = [];
    const ratios = [];
    const rawCpu = [];
    const sdkCpu = [];
    for (let i = 0; i < RUNS; i += 1) {
      // Alternate which side goes first.
      let r;
      let k;
      if (i % 2 === 0) {
        r = await throughput(raw, RUN_MS);
        k = await throughput(sdk, RUN_MS);
      } else {
        k = await throughput(sdk, RUN_MS);
        r = await throughput(raw, RUN_MS);
      }
      rawRuns.push(r.rps);
      sdkRuns.push(k.rps);
      rawCpu.push(r.cpuPerRequest);
      sdkCpu.push(k.cpuPerRequest);
      ratios.push(k.rps / r.rps);
      log(
        `run ${i + 1}: raw ${r.rps.toFixed(0)} req/s (${r.cpuPerRequest.toFixed(1)} µs client CPU/req), SDK ${k.rps.toFixed(0)} req/s (${k.cpuPerRequest.toFixed(1)} µs)`,
      );
    }
    const cpuRatio = pairRatio(sdkCpu.map((c, i) => c / rawCpu[i]));
    log(
      `client CPU per request: SDK ${summarize(sdkCpu).median.toFixed(1)} µs, raw ${summarize(rawCpu).median.toFixed(1)} µs, SDK/raw ${cpuRatio.median.toFixed(3)} (${cpuRatio.min.toFixed(3)}–${cpuRatio.max.toFixed(3)})`,
    );
    const measured = summarize(sdkRuns);
    const baseline = { label: "raw undici", unit: "req/s", ...summarize(rawRuns) };
    const pr = pairRatio(ratios);
    log(
      `ratio ${pr.median.toFixed(3)} (${pr.min.toFixed(3)}–${pr.max.toFixed(3)}, spread ±${(pr.spread * 100).toFixed(0)} %)`,
    );
    const metrics = client.metrics();
    return [
      {
        id: "B3",
        key: "B3.1",
        figure: "SDK GET throughput, concurrency 16",
        unit: "req/s",
        status: pr.conclusive ? "ok" : "inconclusive",
        measured,
        baseline,
        ratio: pr.median,
        ratioRange: { min: pr.min, max: pr.max, spread: pr.spread, runs: pr.runs },
        target: TARGET,
        met: verdict(pr, (r) => r >= 0.95),
        note: `ratio = median of ${RUNS} interleaved ${RUN_MS / 1000} s pairs (sdk/raw)`,
        details: {
          clientCpuPerRequestUs: {
            sdk: summarize(sdkCpu),
            raw: summarize(rawCpu),
            ratio: { median: cpuRatio.median, min: cpuRatio.min, max: cpuRatio.max },
          },
          sdkFailures: metrics.failures,
          sdkRetries: metrics.retries,
          rateLimited: metrics.rateLimited,
        },
      },
    ];
  } finally {
    await client.close();
    await agent.close();
    await emulator.close();
  }
}
