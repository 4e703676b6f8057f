/**
 * B7: the emulator at scale, and memory.
 * - RSS of the emulator holding 100 000 actions (child process, in-memory SQLite so the database
 *   counts too; RSS after a GC over IPC; target ≤ 300 MB), the empty emulator as the baseline. The
 *   first 1 000 are created over HTTP, the rest copied in the child through the emulator's store.
 * - `GET /dataactions?page=1000&pageSize=100` (the last page of 100 000) against page 1 of the same
 *   tenant: interleaved pairs of 200 requests each side (alternating one by one), ratio of the median latencies (target
 *   ≤ 2×); and the first read after a write (each side: a write, then the page), the case where
 *   nothing is known yet about the list.
 * - Peak RSS of a process planning 5 000 actions (`process.resourceUsage().maxRSS`; ≤ 300 MB).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { actionPayload, call, getToken, inParallel, UNLIMITED } from "./lib/api.mjs";
import { runJsonChild, startEmulatorProcess } from "./lib/processes.mjs";
import { msSince, pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "memory and pages at scale";
export const TARGET = "≤ 300 MB; page 1 000 ≤ 2 × page 1";
const ACTIONS = Number(process.env.B7_ACTIONS ?? 100_000);
const PAGE_SIZE = 100;
const FAR_PAGE = Math.ceil(ACTIONS / PAGE_SIZE);
const RSS_RUNS = 2;
const PAIRS = 9;
const PER_SIDE = 200;
const COLD_PAIRS = 21;
const MB = 1024 * 1024;

/**
 * 1 000 actions created over HTTP (the path every client takes), then copies of one of them written
 * through the emulator's store up to ACTIONS (over HTTP alone, 100 000 take half an hour here).
 */
async function seed(emulator, token) {
  let first;
  await inParallel(1000, 16, async (i) => {
    const res = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload(`act_${i}`));
    if (res.status !== 201) throw new Error(`create act_${i}: ${res.status} ${res.text.slice(0, 200)}`);
    first ??= res.body.id;
  });
  await emulator.seed(first, ACTIONS - 1000);
}

async function pageLatency(url, token, page, times) {
  const ms = [];
  for (let i = 0; i < times; i += 1) {
    const start = process.hrtime.bigint();
    const res = await call(url, token, "GET", `/api/v2/dataactions?page=${page}&pageSize=${PAGE_SIZE}`);
    ms.push(msSince(start));
    if (res.status !== 200 || res.body.entities.length === 0 || res.body.total < ACTIONS)
      throw new Error(`page ${page}: ${res.status}, ${res.body?.entities?.length} entities`);
  }
  return summarize(ms).median;
}

/** One write (the list's state is new), then the page: the page's latency. */
async function coldPage(url, token, page, n) {
  const created = await call(url, token, "POST", "/api/v2/dataactions", actionPayload(`cold_${page}_${n}`));
  if (created.status !== 201) throw new Error(`cold write: ${created.status}`);
  return pageLatency(url, token, page, 1);
}

async function onePass(log, index) {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  try {
    const token = await getToken(emulator.url);
    const empty = (await emulator.memory()).rss / MB;
    const t0 = Date.now();
    await seed(emulator, token);
    const full = (await emulator.memory()).rss / MB;
    log(
      `run ${index + 1}: seeded ${ACTIONS} in ${((Date.now() - t0) / 1000).toFixed(0)} s; RSS empty ${empty.toFixed(1)} MB, full ${full.toFixed(1)} MB`,
    );
    if (index > 0) return { empty, full };
    await pageLatency(emulator.url, token, 1, 20);
    await pageLatency(emulator.url, token, FAR_PAGE, 20);
    const warm = { near: [], far: [], ratios: [] };
    for (let p = 0; p < PAIRS; p += 1) {
      // One pair: PER_SIDE requests of each page, alternating one by one, so a burst of load on the
      // machine hits both sides alike; the pair's ratio is of the two median latencies.
      const near = [];
      const far = [];
      for (let i = 0; i < PER_SIDE; i += 1) {
        const farFirst = i % 2 === 1;
        if (farFirst) far.push(await pageLatency(emulator.url, token, FAR_PAGE, 1));
        near.push(await pageLatency(emulator.url, token, 1, 1));
        if (!farFirst) far.push(await pageLatency(emulator.url, token, FAR_PAGE, 1));
      }
      warm.near.push(summarize(near).median);
      warm.far.push(summarize(far).median);
      warm.ratios.push(warm.far.at(-1) / warm.near.at(-1));
    }
    const cold = { near: [], far: [], ratios: [] };
    for (let p = 0; p < COLD_PAIRS; p += 1) {
      const near = await coldPage(emulator.url, token, 1, p);
      const far = await coldPage(emulator.url, token, FAR_PAGE, p);
      cold.near.push(near);
      cold.far.push(far);
      cold.ratios.push(far / near);
    }
    const peak = (await emulator.memory()).rss / MB;
    log(
      `pages: warm ratio ${summarize(warm.ratios).median.toFixed(2)}, after a write ${summarize(cold.ratios).median.toFixed(2)}; RSS after the reads ${peak.toFixed(1)} MB`,
    );
    return { empty, full, warm, cold };
  } finally {
    await emulator.close();
  }
}

function pageFigure(key, title, side, note) {
  const ratio = pairRatio(side.ratios);
  return {
    id: "B7",
    key,
    figure: title,
    unit: "ms",
    status: ratio.conclusive ? "ok" : "inconclusive",
    measured: summarize(side.far),
    baseline: { label: "page 1", unit: "ms", ...summarize(side.near) },
    ratio: ratio.median,
    ratioRange: { min: ratio.min, max: ratio.max, spread: ratio.spread, runs: ratio.runs },
    target: "≤ 2 × page 1",
    met: verdict(ratio, (r) => r <= 2),
    note,
  };
}

export async function run({ log }) {
  const passes = [];
  for (let i = 0; i < RSS_RUNS; i += 1) passes.push(await onePass(log, i));
  const measured = summarize(passes.map((p) => p.full));
  const figures = [
    {
      id: "B7",
      key: "B7.1",
      figure: `emulator RSS holding ${ACTIONS.toLocaleString("en").replace(/,/g, " ")} actions`,
      unit: "MB",
      status: "ok",
      measured,
      baseline: { label: "empty emulator", unit: "MB", ...summarize(passes.map((p) => p.empty)) },
      ratio: null,
      target: "≤ 300 MB",
      met: measured.median <= 300,
      note: "in-memory SQLite (the database is in the RSS); RSS after a GC",
    },
    pageFigure(
      "B7.3",
      `GET /dataactions?page=${FAR_PAGE}&pageSize=${PAGE_SIZE} of ${ACTIONS} actions`,
      passes[0].warm,
      `ratio = median of ${PAIRS} pairs of ${PER_SIDE} requests a side, alternating one by one (median latency each)`,
    ),
    pageFigure(
      "B7.4",
      `the same page, first read after a write`,
      passes[0].cold,
      `ratio = median of ${COLD_PAIRS} pairs (write, page 1; write, page ${FAR_PAGE})`,
    ),
  ];
  const planner = fileURLToPath(new URL("../dist/project/plan.js", import.meta.url));
  if (existsSync(planner)) {
    const peaks = [];
    for (let i = 0; i < 3; i += 1) {
      const result = await runJsonChild("./plan-child.mjs", { actions: 5000 });
      peaks.push(result.maxRssKb / 1024);
    }
    const peak = summarize(peaks);
    log(`plan of 5 000 actions: peak RSS ${peak.median.toFixed(1)} MB`);
    figures.push({
      id: "B7",
      key: "B7.2",
      figure: "peak RSS of a plan of 5 000 actions",
      unit: "MB",
      status: "ok",
      measured: peak,
      baseline: null,
      ratio: null,
      target: "≤ 300 MB",
      met: peak.median <= 300,
      note: "whole process: node, the planner's modules, desired + live state of 5 000 actions and the plan",
    });
  }
  return figures;
}
