/**
 * B6: pure work as ratios against a floor measured in the same process (issue 21): the floor of an
 * operation is one deep copy (`JSON.parse(JSON.stringify(x))`) of exactly the data it reads.
 * - computePlan of 5 000 and of 50 000 actions (changed headers and overrides): ≤ 3 × the copy of
 *   their desired and live state; the 50 000-action time ≤ 11 × the 5 000-action time (linear);
 *   peak RSS of a process planning 50 000 actions ≤ 600 MB.
 * - validateHeaders over 10 000 header matrices, and checkScriptSyntax of a 64 KB script: each ≤ 3 ×
 *   the copy of its input.
 * Every ratio is the median of interleaved pairs (floor, work; then work, floor), after warm-up runs;
 * a ratio whose pairs lie further than ±10 % from their median is reported inconclusive.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "acorn";
import { validateHeaders } from "../dist/domain/headers.js";
import { checkScriptSyntax } from "../dist/domain/script-syntax.js";
import { headerMatrices, largeScript } from "./lib/fixtures.mjs";
import { planFixture } from "./lib/plan-fixture.mjs";
import { runJsonChild } from "./lib/processes.mjs";
import { msSince, pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "pure work";
export const TARGET = "≤ 3 × floor; 50 000 ≤ 11 × 5 000; ≤ 600 MB";
const WARMUP = 3;

const copy = (x) => JSON.parse(JSON.stringify(x));

function time(work) {
  const start = process.hrtime.bigint();
  work();
  return msSince(start);
}

/** Interleaved pairs of (floor, work): the times of each and the ratio work ÷ floor of each pair. */
function pairs(floor, work, count) {
  for (let i = 0; i < WARMUP; i += 1) {
    floor();
    work();
  }
  const floors = [];
  const works = [];
  const ratios = [];
  for (let i = 0; i < count; i += 1) {
    globalThis.gc?.();
    let f;
    let w;
    if (i % 2 === 0) {
      f = time(floor);
      w = time(work);
    } else {
      w = time(work);
      f = time(floor);
    }
    floors.push(f);
    works.push(w);
    ratios.push(w / f);
  }
  return { floor: summarize(floors), work: summarize(works), ratio: pairRatio(ratios) };
}

function ratioFigure(key, name, result, floorLabel, limit, note) {
  return {
    id: "B6",
    key,
    figure: name,
    unit: "ms",
    status: result.ratio.conclusive ? "ok" : "inconclusive",
    measured: result.work,
    baseline: { label: floorLabel, unit: "ms", ...result.floor },
    ratio: result.ratio.median,
    ratioRange: {
      min: result.ratio.min,
      max: result.ratio.max,
      spread: result.ratio.spread,
      runs: result.ratio.runs,
    },
    target: `≤ ${limit} × floor`,
    met: verdict(result.ratio, (r) => r <= limit),
    note,
  };
}

export async function run({ log }) {
  if (!globalThis.gc) log("(run with node --expose-gc for a GC before each pair: npm run bench does)");
  const figures = [];
  const { computePlan } = await import("../dist/project/plan.js");

  const small = planFixture(5_000);
  const large = planFixture(50_000);
  const plan5 = pairs(
    () => copy(small),
    () => computePlan(small.desired, small.live),
    15,
  );
  log(
    `plan of 5 000: ${plan5.work.median.toFixed(1)} ms, floor ${plan5.floor.median.toFixed(1)} ms, ratio ${plan5.ratio.median.toFixed(2)} (${plan5.ratio.min.toFixed(2)}–${plan5.ratio.max.toFixed(2)})`,
  );
  figures.push(
    ratioFigure(
      "B6.1",
      "plan of 5 000 actions",
      plan5,
      "deep copy of desired + live",
      3,
      `median of 15 interleaved pairs after ${WARMUP} warm-up runs`,
    ),
  );
  const plan50 = pairs(
    () => copy(large),
    () => computePlan(large.desired, large.live),
    9,
  );
  log(
    `plan of 50 000: ${plan50.work.median.toFixed(1)} ms, floor ${plan50.floor.median.toFixed(1)} ms, ratio ${plan50.ratio.median.toFixed(2)} (${plan50.ratio.min.toFixed(2)}–${plan50.ratio.max.toFixed(2)})`,
  );
  figures.push(
    ratioFigure(
      "B6.4",
      "plan of 50 000 actions",
      plan50,
      "deep copy of desired + live",
      3,
      `median of 9 interleaved pairs after ${WARMUP} warm-up runs`,
    ),
  );
  // Linearity: 5 000 and 50 000 interleaved, each pair's ratio.
  const linear = pairs(
    () => computePlan(small.desired, small.live),
    () => computePlan(large.desired, large.live),
    9,
  );
  log(`plan 50 000 ÷ plan 5 000: ${linear.ratio.median.toFixed(2)}`);
  figures.push({
    id: "B6",
    key: "B6.5",
    figure: "plan of 50 000 ÷ plan of 5 000 (linearity)",
    unit: "ms",
    status: linear.ratio.conclusive ? "ok" : "inconclusive",
    measured: linear.work,
    baseline: { label: "plan of 5 000", unit: "ms", ...linear.floor },
    ratio: linear.ratio.median,
    ratioRange: {
      min: linear.ratio.min,
      max: linear.ratio.max,
      spread: linear.ratio.spread,
      runs: linear.ratio.runs,
    },
    target: "≤ 11×",
    met: verdict(linear.ratio, (r) => r <= 11),
    note: "median of 9 interleaved pairs",
  });
  const peaks = [];
  if (existsSync(fileURLToPath(new URL("../dist/project/plan.js", import.meta.url))))
    for (let i = 0; i < 3; i += 1)
      peaks.push((await runJsonChild("./plan-child.mjs", { actions: 50_000 })).maxRssKb / 1024);
  const peak = summarize(peaks);
  log(`peak RSS planning 50 000: ${peak.median.toFixed(0)} MB`);
  figures.push({
    id: "B6",
    key: "B6.6",
    figure: "peak RSS of a process planning 50 000 actions",
    unit: "MB",
    status: "ok",
    measured: peak,
    baseline: null,
    ratio: null,
    target: "≤ 600 MB",
    met: peak.median <= 600,
    note: "whole process (maxRSS): node, the planner, the fixture's desired + live state and the plan",
  });

  const matrices = headerMatrices(10_000);
  const headers = pairs(
    () => copy(matrices),
    () => {
      for (const m of matrices) validateHeaders(m);
    },
    15,
  );
  log(`10 000 header matrices: ratio ${headers.ratio.median.toFixed(2)}`);
  figures.push(
    ratioFigure(
      "B6.2",
      "validate 10 000 header matrices",
      headers,
      "deep copy of the matrices",
      3,
      "median of 15 interleaved pairs",
    ),
  );

  const script = largeScript(64 * 1024);
  if (!checkScriptSyntax(script).ok) throw new Error("the 64 KB benchmark script did not parse");
  const bytes = Buffer.byteLength(script);
  const syntax = pairs(
    () => copy(script),
    () => checkScriptSyntax(script),
    25,
  );
  log(`syntax check of ${bytes} B: ratio ${syntax.ratio.median.toFixed(2)}`);
  figures.push(
    ratioFigure(
      "B6.3",
      `syntax check of a 64 KB script (${bytes} B)`,
      syntax,
      "deep copy of the script text",
      3,
      "median of 25 interleaved pairs",
    ),
  );
  // No parser comes near a copy of its input (acorn parses ~20–260× slower than a string copies), so the
  // syntax check is also measured against the parser it is built on: acorn alone, grammar only, on the same
  // text. That ratio is what the check adds (error mapping, options) and is the figure the code controls.
  const bare = pairs(
    () => parse(script, { ecmaVersion: 2022, sourceType: "script" }),
    () => checkScriptSyntax(script),
    25,
  );
  log(`syntax check vs bare acorn: ratio ${bare.ratio.median.toFixed(2)}`);
  figures.push(
    ratioFigure(
      "B6.3b",
      `syntax check of a 64 KB script (${bytes} B) against the bare parser`,
      bare,
      "acorn.parse of the same text",
      1.2,
      "median of 25 interleaved pairs",
    ),
  );
  return figures;
}
