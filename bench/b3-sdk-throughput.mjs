/**
 * B3: SDK GET throughput at concurrency 16 against an unthrottled emulator (child process), against
 * raw `undici.request` with the same Agent settings (undici defaults on both sides) and the same body
 * handling (JSON parsed). Target ≥ 0.85 × raw. Sides alternate so machine load hits both alike.
 */
import { Agent, request } from "undici";
import { createClient } from "../dist/index.js";
import { actionPayload, call, DEMO_CLIENT, getToken, UNLIMITED } from "./lib/api.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "SDK GET throughput (c=16)";
export const TARGET = "≥ 0.85 × raw undici";
const CONCURRENCY = 16;
const RUN_MS = 1500;
// Long enough for both sides to reach steady state (JIT, connection pool): the first second of the
// SDK side still runs at about 60 % of its warm speed.
const WARMUP_MS = 3000;
/** Short interleaved pairs: the ratio is the median of per-pair ratios, robust to load that drifts. */
const RUNS = 6;

/** Requests per second completed by CONCURRENCY loops of `once` during `ms`. */
async function throughput(once, ms) {
  const deadline = Date.now() + ms;
  let done = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        await once();
        done += 1;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
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
    for (let i = 0; i < RUNS; i += 1) {
      // Alternate which side goes first.
      if (i % 2 === 0) {
        rawRuns.push(await throughput(raw, RUN_MS));
        sdkRuns.push(await throughput(sdk, RUN_MS));
      } else {
        sdkRuns.push(await throughput(sdk, RUN_MS));
        rawRuns.push(await throughput(raw, RUN_MS));
      }
      ratios.push(sdkRuns[i] / rawRuns[i]);
      log(`run ${i + 1}: raw ${rawRuns[i].toFixed(0)} req/s, SDK ${sdkRuns[i].toFixed(0)} req/s`);
    }
    const measured = summarize(sdkRuns);
    const baseline = { label: "raw undici", unit: "req/s", ...summarize(rawRuns) };
    const ratio = summarize(ratios).median;
    const metrics = client.metrics();
    return [
      {
        id: "B3",
        key: "B3.1",
        figure: "SDK GET throughput, concurrency 16",
        unit: "req/s",
        status: "ok",
        measured,
        baseline,
        ratio,
        target: TARGET,
        met: ratio >= 0.85,
        note: "ratio = median of 6 interleaved 1.5 s pairs (sdk/raw)",
        details: {
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
