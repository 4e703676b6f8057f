/**
 * B7: memory. Emulator RSS holding 10 000 actions (emulator in a child process, RSS after a GC over
 * IPC; target ≤ 200 MB), with the empty emulator's RSS as the baseline; and the peak RSS of a plan of
 * 5 000 actions (child process, `process.resourceUsage().maxRSS`; target ≤ 300 MB) once the planner
 * has landed.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getToken, seedTenant, UNLIMITED } from "./lib/api.mjs";
import { runJsonChild, startEmulatorProcess } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "memory";
export const TARGET = "≤ 200 MB; ≤ 300 MB";
const ACTIONS = 10_000;
const RUNS = 3;
const MB = 1024 * 1024;

async function emulatorRss() {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  try {
    const token = await getToken(emulator.url);
    const empty = (await emulator.memory()).rss / MB;
    await seedTenant(
      emulator.url,
      token,
      ACTIONS,
      { variables: false, overrides: false },
      { concurrency: 32 },
    );
    const full = (await emulator.memory()).rss / MB;
    return { empty, full };
  } finally {
    await emulator.close();
  }
}

export async function run({ log }) {
  const empty = [];
  const full = [];
  for (let i = 0; i < RUNS; i += 1) {
    const r = await emulatorRss();
    empty.push(r.empty);
    full.push(r.full);
    log(`run ${i + 1}: empty ${r.empty.toFixed(1)} MB, with ${ACTIONS} actions ${r.full.toFixed(1)} MB`);
  }
  const measured = summarize(full);
  const figures = [
    {
      id: "B7",
      key: "B7.1",
      figure: "emulator RSS holding 10 000 actions",
      unit: "MB",
      status: "ok",
      measured,
      baseline: { label: "empty emulator", unit: "MB", ...summarize(empty) },
      ratio: null,
      target: "≤ 200 MB",
      met: measured.median <= 200,
    },
  ];
  const planner = fileURLToPath(new URL("../dist/project/plan.js", import.meta.url));
  if (existsSync(planner)) {
    const peaks = [];
    for (let i = 0; i < RUNS; i += 1) {
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
  } else {
    figures.push({
      id: "B7",
      key: "B7.2",
      figure: "peak RSS of a plan of 5 000 actions",
      status: "pending",
      note: "planner (src/project/plan.ts computePlan) not available yet",
      measured: null,
      baseline: null,
      ratio: null,
      target: "≤ 300 MB",
      met: null,
    });
  }
  return figures;
}
