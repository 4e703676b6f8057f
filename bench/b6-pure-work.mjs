/**
 * B6: pure work in absolute milliseconds (targets ≤ 200 ms, ≤ 100 ms, ≤ 10 ms), with the machine's
 * `node -e 0` time for scale: a plan of 5 000 actions (computePlan, when the planner has landed),
 * 10 000 header matrices validated (validateHeaders), a 64 KB script syntax check (checkScriptSyntax).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validateHeaders } from "../dist/domain/headers.js";
import { checkScriptSyntax } from "../dist/domain/script-syntax.js";
import { headerMatrices, largeScript } from "./lib/fixtures.mjs";
import { timeSpawn } from "./lib/processes.mjs";
import { msSince, summarize } from "./lib/stats.mjs";

export const TITLE = "pure work";
export const TARGET = "≤ 200 / 100 / 10 ms";
const RUNS = 15;
/** Runs discarded before measuring: the figures are steady-state (JIT-warm) times; the cold first run is noted. */
const WARMUP = 5;

function timeRuns(work) {
  const values = [];
  let cold = 0;
  for (let i = 0; i < WARMUP; i += 1) {
    const start = process.hrtime.bigint();
    work();
    if (i === 0) cold = msSince(start);
  }
  for (let i = 0; i < RUNS; i += 1) {
    const start = process.hrtime.bigint();
    work();
    values.push(msSince(start));
  }
  return { ...summarize(values), coldFirstRunMs: cold };
}

function figure(key, name, measured, limitMs, baseline, extra = {}) {
  return {
    id: "B6",
    key,
    figure: name,
    unit: "ms",
    status: "ok",
    measured,
    baseline,
    ratio: measured.median / baseline.median,
    target: `≤ ${limitMs} ms`,
    met: measured.median <= limitMs,
    note: `steady state after ${WARMUP} warm-up runs; cold first run ${measured.coldFirstRunMs.toFixed(1)} ms`,
    ...extra,
  };
}

export async function run({ log }) {
  const nodeRuns = [];
  for (let i = 0; i < 5; i += 1) nodeRuns.push(await timeSpawn(process.execPath, ["-e", "0"]));
  const baseline = { label: "node -e 0 (scale)", unit: "ms", ...summarize(nodeRuns) };
  const figures = [];

  const planModule = fileURLToPath(new URL("../dist/project/plan.js", import.meta.url));
  const planFigure = existsSync(planModule) ? await import("./lib/plan-bench.mjs") : null;
  if (planFigure) {
    const { measured, note } = await planFigure.timePlan(5000, RUNS, WARMUP);
    log(`plan of 5 000 actions: ${measured.median.toFixed(1)} ms (${note})`);
    figures.push(figure("B6.1", "plan of 5 000 actions", measured, 200, baseline));
  } else {
    figures.push({
      id: "B6",
      key: "B6.1",
      figure: "plan of 5 000 actions",
      status: "pending",
      note: "planner (src/project/plan.ts computePlan) not available yet",
      measured: null,
      baseline,
      ratio: null,
      target: "≤ 200 ms",
      met: null,
    });
  }

  const matrices = headerMatrices(10_000);
  let invalid = 0;
  const headers = timeRuns(() => {
    invalid = 0;
    for (const m of matrices) if (!validateHeaders(m).ok) invalid += 1;
  });
  log(`10 000 header matrices (${invalid} invalid): ${headers.median.toFixed(1)} ms`);
  figures.push(figure("B6.2", "validate 10 000 header matrices", headers, 100, baseline));

  const script = largeScript(64 * 1024);
  const bytes = Buffer.byteLength(script);
  let ok = false;
  const syntax = timeRuns(() => {
    ok = checkScriptSyntax(script).ok;
  });
  if (!ok) throw new Error("the 64 KB benchmark script did not parse");
  log(`syntax check of ${bytes} bytes: ${syntax.median.toFixed(2)} ms`);
  figures.push(figure("B6.3", `syntax check of a 64 KB script (${bytes} B)`, syntax, 10, baseline));
  return figures;
}
