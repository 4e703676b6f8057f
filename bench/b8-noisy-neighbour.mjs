/**
 * B8: noisy neighbours in the sandbox (issue 15). A victim tenant runs a trivial test run again and
 * again, first alone, then while another tenant keeps 200 CPU-heavy test runs in flight. The figure is
 * the victim's p99 under the flood against its p99 alone, measured in the same run, interleaved.
 * Target ≤ 2×. The flood's clients honour `Retry-After` on 503/429, as the SDK does; the emulator runs
 * in its own process with the default sandbox (2 workers) and the rate limit effectively off.
 */
import { Agent, request } from "undici";
import { UNLIMITED } from "./lib/api.mjs";
import { startBareQuickJs } from "./lib/bare-quickjs.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { msSince, pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "victim test-run p99 under another tenant's flood";
export const TARGET = "≤ 2 × idle p99";
const FLOOD = 200;
const SAMPLES = 400;
const RUNS = 7;
const FLOOD_SCRIPT =
  "function main() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) x++; return x; }";
const VICTIM_SCRIPT = "function main(context) { return { echo: context.input }; }";

const CLIENTS = {
  victim: { id: "victim-ci", secret: "victim-bench-secret" },
  flood: { id: "flood-ci", secret: "flood-bench-secret" },
};

async function token(url, client, dispatcher) {
  const res = await request(`${url}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials",
    dispatcher,
  });
  const body = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`token for ${client.id}: ${res.statusCode}`);
  return body.access_token;
}

async function post(url, path, bearer, body, dispatcher) {
  const res = await request(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    dispatcher,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function createAction(url, bearer, name, content, dispatcher) {
  const res = await post(
    url,
    "/api/v2/dataactions",
    bearer,
    { name, type: "SCRIPT", script: { language: "JavaScript", content } },
    dispatcher,
  );
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status}`);
  return res.body.id;
}

const p99 = (values) => quantile(values, 0.99);

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", wake);
      resolve();
    }, ms);
    signal?.addEventListener("abort", wake, { once: true });
  });
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
}

function shape(values) {
  return [0.5, 0.9, 0.99, 1].map((q) => quantile(values, q).toFixed(1)).join("/");
}

/** Sequential victim runs; `failed` counts those not answered SUCCESS (a refused 503 among them). */
async function victimLatencies(url, bearer, id, dispatcher, samples) {
  const latencies = [];
  let failed = 0;
  for (let i = 0; i < samples; i += 1) {
    const start = process.hrtime.bigint();
    const res = await post(url, `/api/v2/dataactions/${id}/test`, bearer, { input: { i } }, dispatcher);
    latencies.push(msSince(start));
    if (res.status !== 200 || res.body.status !== "SUCCESS") failed += 1;
  }
  return Object.assign(latencies, { failed });
}

/**
 * Keeps `width` flood runs in flight until `stop()`, which waits for the runs still in flight (the
 * queue drains before the next idle phase) but not for the clients waiting out a `Retry-After`.
 */
function startFlood(url, bearer, id, dispatcher, width) {
  let stopped = false;
  const stopping = new AbortController();
  const counts = { done: 0, refused: 0, other: 0 };
  const loop = async () => {
    while (!stopped) {
      const res = await post(url, `/api/v2/dataactions/${id}/test`, bearer, { input: null }, dispatcher);
      if (res.status === 200) counts.done += 1;
      else if (res.status === 503 || res.status === 429) {
        counts.refused += 1;
        await sleep(Number(res.headers["retry-after"] ?? 1) * 1000, stopping.signal);
      } else counts.other += 1;
    }
  };
  const loops = Array.from({ length: width }, loop);
  return {
    counts,
    async stop() {
      stopped = true;
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

const SMALL_SCRIPT =
  "function main(context) { let s = 0; for (let i = 0; i < 2000; i++) s += i; return { s, input: context.input }; }";
const CONCURRENCY = 16;
const SIDE_MS = 2000;
const THROUGHPUT_PAIRS = 7;

/**
 * Runs `runOne` CONCURRENCY at a time for `ms`: runs per second, every run's latency, and the process's
 * CPU time (all threads) per run, which a busy machine disturbs less than the rate.
 */
async function drive(runOne, ms) {
  const latencies = [];
  const end = performance.now() + ms;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await runOne();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  return {
    perSecond: (latencies.length * 1000) / (performance.now() - started),
    latencies,
    cpuUsPerRun: (user + system) / latencies.length,
  };
}

/**
 * Sandbox throughput (issue 21): runs/s of a small script at concurrency 16 through `createSandbox`
 * (one tenant) against a bare QuickJS runtime per run in the same number of worker threads with the
 * same limits; and the p99 of those runs against their median.
 */
async function throughput(log) {
  const { createSandbox } = await import("../dist/emulator/sandbox/index.js");
  const limits = await import("../dist/emulator/sandbox/limits.js");
  const workers = limits.DEFAULT_WORKERS;
  const sandbox = createSandbox({ workers });
  const bare = await startBareQuickJs({
    workers,
    memoryBytes: limits.DEFAULT_MEMORY_BYTES,
    timeoutMs: limits.DEFAULT_TIMEOUT_MS,
    maxStackBytes: limits.MAX_STACK_BYTES,
    wasmBaseBytes: limits.WASM_BASE_BYTES,
  });
  try {
    const viaSandbox = async () => {
      const r = await sandbox.run({ source: SMALL_SCRIPT, context: { input: 1 }, tenant: "t" });
      if (r.status !== "SUCCESS") throw new Error(`sandbox run: ${r.status} ${r.error}`);
    };
    const viaBare = async () => {
      if ((await bare.run(SMALL_SCRIPT, { input: 1 })) === null) throw new Error("bare run failed");
    };
    await drive(viaSandbox, 1000);
    await drive(viaBare, 1000);
    const ours = [];
    const theirs = [];
    const ratios = [];
    const tails = [];
    const bareTails = [];
    const cpuRatios = [];
    const cpu = { ours: [], theirs: [] };
    for (let i = 0; i < THROUGHPUT_PAIRS; i += 1) {
      const first = i % 2 === 0 ? viaSandbox : viaBare;
      const a = await drive(first, SIDE_MS);
      const b = await drive(first === viaSandbox ? viaBare : viaSandbox, SIDE_MS);
      const [s, q] = first === viaSandbox ? [a, b] : [b, a];
      ours.push(s.perSecond);
      theirs.push(q.perSecond);
      ratios.push(s.perSecond / q.perSecond);
      tails.push(quantile(s.latencies, 0.99) / quantile(s.latencies, 0.5));
      bareTails.push(quantile(q.latencies, 0.99) / quantile(q.latencies, 0.5));
      cpu.ours.push(s.cpuUsPerRun);
      cpu.theirs.push(q.cpuUsPerRun);
      cpuRatios.push(q.cpuUsPerRun / s.cpuUsPerRun);
    }
    const pr = pairRatio(ratios);
    const tail = pairRatio(tails);
    const bareTail = summarize(bareTails);
    const cpuRatio = summarize(cpuRatios);
    const range = (x) => `${x.median.toFixed(2)} (${x.min.toFixed(2)}–${x.max.toFixed(2)})`;
    const cpuNote =
      `CPU per run (all threads) ${summarize(cpu.ours).median.toFixed(0)} µs against ${summarize(cpu.theirs).median.toFixed(0)} µs bare, ` +
      `ratio bare ÷ sandbox ${range(cpuRatio)}`;
    log(
      `throughput: sandbox ${summarize(ours).median.toFixed(0)} runs/s, bare QuickJS ${summarize(theirs).median.toFixed(0)} runs/s, ratio ${range(pr)}; ${cpuNote}`,
    );
    log(`p99/median: sandbox ${range(tail)}, bare QuickJS under the same load ${range(bareTail)}`);
    return [
      {
        id: "B8",
        key: "B8.2",
        figure: `sandbox runs/s of a small script, concurrency ${CONCURRENCY}, ${workers} workers`,
        unit: "runs/s",
        status: pr.conclusive ? "ok" : "inconclusive",
        measured: summarize(ours),
        baseline: { label: `bare QuickJS, ${workers} worker threads`, unit: "runs/s", ...summarize(theirs) },
        ratio: pr.median,
        ratioRange: { min: pr.min, max: pr.max, spread: pr.spread, runs: pr.runs },
        target: "≥ 0.5 × bare QuickJS",
        met: verdict(pr, (r) => r >= 0.5),
        note: `ratio = median of ${THROUGHPUT_PAIRS} interleaved ${SIDE_MS / 1000} s pairs; one tenant, in process; ${cpuNote}`,
      },
      {
        id: "B8",
        key: "B8.3",
        figure: "p99 of those sandbox runs ÷ their median",
        unit: "×",
        status: tail.conclusive ? "ok" : "inconclusive",
        measured: tail,
        baseline: null,
        ratio: tail.median,
        ratioRange: { min: tail.min, max: tail.max, spread: tail.spread, runs: tail.runs },
        target: "≤ 3×",
        met: verdict(tail, (r) => r <= 3),
        note: `per pair, the sandbox side's run latencies under the load of concurrency 16; the bare side's, for the machine's share: ${range(bareTail)}`,
      },
    ];
  } finally {
    await sandbox.close();
    await bare.close();
  }
}

export async function run({ log }) {
  const throughputFigures = await throughput(log);
  const emulator = await startEmulatorProcess({
    rateLimit: UNLIMITED,
    config: {
      tenants: [
        { id: "victim", clients: [CLIENTS.victim] },
        { id: "flood", clients: [CLIENTS.flood] },
      ],
    },
  });
  // Separate connection pools: the victim never waits for a connection the flood holds.
  const victimAgent = new Agent({ connections: 4 });
  const floodAgent = new Agent({ connections: FLOOD + 10 });
  try {
    const victimToken = await token(emulator.url, CLIENTS.victim, victimAgent);
    const floodToken = await token(emulator.url, CLIENTS.flood, floodAgent);
    const victimId = await createAction(emulator.url, victimToken, "victim_echo", VICTIM_SCRIPT, victimAgent);
    const floodId = await createAction(emulator.url, floodToken, "flood_spin", FLOOD_SCRIPT, floodAgent);
    await victimLatencies(emulator.url, victimToken, victimId, victimAgent, 30);
    let victimFailures = 0;
    const idle = [];
    const flooded = [];
    const ratios = [];
    for (let i = 0; i < RUNS; i += 1) {
      const alone = await victimLatencies(emulator.url, victimToken, victimId, victimAgent, SAMPLES);
      idle.push(p99(alone));
      const flood = startFlood(emulator.url, floodToken, floodId, floodAgent, FLOOD);
      await sleep(1000);
      const under = await victimLatencies(emulator.url, victimToken, victimId, victimAgent, SAMPLES);
      const floodRuns = flood.counts.done;
      await flood.stop();
      victimFailures += alone.failed + under.failed;
      flooded.push(p99(under));
      ratios.push(flooded[i] / idle[i]);
      log(
        `run ${i + 1}: victim p99 idle ${idle[i].toFixed(1)} ms, under flood ${flooded[i].toFixed(1)} ms ` +
          `(ratio ${ratios[i].toFixed(2)}); p50/p90/p99/max alone ${shape(alone)}, flooded ${shape(under)}; ` +
          `victim runs failed ${alone.failed + under.failed}; ` +
          `flood runs done ${floodRuns}, refused ${flood.counts.refused}, other ${flood.counts.other}`,
      );
    }
    const pr = pairRatio(ratios);
    const ratio = pr.median;
    log(`victim p99 ratio (flood / idle): ${ratio.toFixed(2)} (${pr.min.toFixed(2)}–${pr.max.toFixed(2)})`);
    return [
      ...throughputFigures,
      {
        id: "B8",
        key: "B8.1",
        figure: `victim test-run p99, another tenant flooding with ${FLOOD} concurrent runs`,
        unit: "ms",
        status: pr.conclusive ? "ok" : "inconclusive",
        measured: summarize(flooded),
        baseline: { label: "victim alone", unit: "ms", ...summarize(idle) },
        ratio,
        ratioRange: { min: pr.min, max: pr.max, spread: pr.spread, runs: pr.runs },
        target: TARGET,
        met: victimFailures === 0 ? verdict(pr, (r) => r <= 2) : false,
        note:
          `ratio = median of ${RUNS} interleaved pairs of ${SAMPLES} sequential victim runs; flood runs spin 150 ms each; ` +
          `victim runs not answered SUCCESS: ${victimFailures}`,
      },
    ];
  } finally {
    await victimAgent.close();
    await floodAgent.close();
    await emulator.close();
  }
}
