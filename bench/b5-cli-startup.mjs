/**
 * B5: CLI start-up, wall time (and CPU time, under `perf stat` where installed) of real processes
 * from dist/ against `node -e 0` (issue 21):
 * `cxda --version` and `cxda --help` ≤ 1.2×; `cxda plan --help` and `cxda validate` of
 * examples/contact-center ≤ 2×. Each figure's ratio is the median of interleaved pairs (baseline and
 * command, alternating which goes first), with the pairs' spread; wider than ±10 % is inconclusive.
 * B5.5 and B5.6 show what validate cannot go below: the libraries its checks need, alone
 * (b5-validate-floor.mjs, bundled as the CLI is), against `node -e 0` and against `cxda validate`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { cpuSpawn, perfAvailable, timeSpawn } from "./lib/processes.mjs";
import { pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "CLI start-up";
export const TARGET = "≤ 1.2 / 2 × node -e 0";
const PAIRS = 31;
const BIN = fileURLToPath(new URL("../dist/cli/bin.cjs", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/contact-center/cxda.yaml", import.meta.url));

const COMMANDS = [
  ["B5.1", "cxda --version", ["--version"], 1.2],
  ["B5.2", "cxda --help", ["--help"], 1.2],
  ["B5.3", "cxda plan --help", ["plan", "--help"], 2],
  ["B5.4", "cxda validate examples/contact-center", ["validate", "-f", EXAMPLE], 2],
];

/**
 * One run of `node …args`: its wall time and, under `perf stat` where it is installed, its CPU time
 * (all threads). Wall time is what a user waits but swings with whatever else holds the 2 cores; CPU
 * time is what the start-up itself costs, and its pairs agree within a few per cent on a busy machine.
 */
const PERF = perfAvailable();
async function once(args, env) {
  if (!PERF) return { wallMs: await timeSpawn(process.execPath, args, { env }), cpuMs: null };
  return cpuSpawn(process.execPath, args, { env });
}

/** Interleaved pairs of `node …nodeArgs` and `node …baseArgs`: wall and (with perf) CPU time. */
async function pairs(nodeArgs, baseArgs = ["-e", "0"]) {
  const run = () => once(nodeArgs, { ...process.env, NO_COLOR: "1" });
  const base = () => once(baseArgs, process.env);
  for (let i = 0; i < 2; i += 1) {
    // the disk cache
    await run();
    await base();
  }
  const sides = { node: [], cli: [], nodeCpu: [], cliCpu: [], ratios: [], cpuRatios: [] };
  for (let i = 0; i < PAIRS; i += 1) {
    let b;
    let c;
    if (i % 2 === 0) {
      b = await base();
      c = await run();
    } else {
      c = await run();
      b = await base();
    }
    sides.node.push(b.wallMs);
    sides.cli.push(c.wallMs);
    sides.ratios.push(c.wallMs / b.wallMs);
    if (PERF) {
      sides.nodeCpu.push(b.cpuMs);
      sides.cliCpu.push(c.cpuMs);
      sides.cpuRatios.push(c.cpuMs / b.cpuMs);
    }
  }
  const wall = { node: summarize(sides.node), cli: summarize(sides.cli), ratio: pairRatio(sides.ratios) };
  const cpu = PERF
    ? { node: summarize(sides.nodeCpu), cli: summarize(sides.cliCpu), ratio: pairRatio(sides.cpuRatios) }
    : undefined;
  return { ...wall, cpu };
}

/** b5-validate-floor.mjs bundled into a temporary directory; returns the bundle's path. */
async function bundleFloor() {
  const outfile = join(mkdtempSync(join(tmpdir(), "cxda-b5-")), "floor.mjs");
  await build({
    entryPoints: [fileURLToPath(new URL("./b5-validate-floor.mjs", import.meta.url))],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
    banner: {
      js: 'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);',
    },
  });
  return outfile;
}

/** The figure of one side of `pairs()` (wall, or CPU time with perf), logged as it is made. */
function figureOf(log, { key, figure, sides, baseline, target, meets }) {
  const { cli, node, ratio } = sides;
  log(
    `${figure}: ${cli.median.toFixed(1)} ms vs ${node.median.toFixed(1)} ms, ratio ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}, spread ±${(ratio.spread * 100).toFixed(0)} %)`,
  );
  return {
    id: "B5",
    key,
    figure,
    unit: "ms",
    status: ratio.conclusive ? "ok" : "inconclusive",
    measured: cli,
    baseline: { label: baseline, unit: "ms", ...node },
    ratio: ratio.median,
    ratioRange: { min: ratio.min, max: ratio.max, spread: ratio.spread, runs: ratio.runs },
    target,
    met: meets === undefined ? null : verdict(ratio, meets),
    note: `ratio = median of ${PAIRS} interleaved pairs`,
  };
}

/** A wall-time figure, and its CPU-time twin (key suffixed "c") when perf counted CPU time. */
function figuresOf(log, r, { key, name, ...rest }) {
  const figures = [figureOf(log, { key, figure: `${name} wall time`, sides: r, ...rest })];
  if (r.cpu !== undefined)
    figures.push(figureOf(log, { key: `${key}c`, figure: `${name} CPU time`, sides: r.cpu, ...rest }));
  return figures;
}

export async function run({ log }) {
  if (!PERF) log("perf is not installed: wall time only (apt-get install linux-perf for CPU time)");
  const figures = [];
  for (const [key, name, args, limit] of COMMANDS) {
    const r = await pairs([BIN, ...args]);
    figures.push(
      ...figuresOf(log, r, {
        key,
        name,
        baseline: "node -e 0",
        target: `≤ ${limit} × node -e 0`,
        meets: (x) => x <= limit,
      }),
    );
  }
  const floor = [await bundleFloor(), fileURLToPath(new URL("../examples/contact-center", import.meta.url))];
  const floorRuns = await pairs(floor);
  const validate = await pairs([BIN, "validate", "-f", EXAMPLE], floor);
  rmSync(dirname(floor[0]), { recursive: true, force: true });
  const beneath = "— (what validate cannot go below)";
  figures.push(
    ...figuresOf(log, floorRuns, {
      key: "B5.5",
      name: "validate's libraries alone (yaml, zod, acorn, Temporal), bundled,",
      baseline: "node -e 0",
      target: beneath,
    }),
    ...figuresOf(log, validate, {
      key: "B5.6",
      name: "cxda validate examples/contact-center ÷ its libraries alone,",
      baseline: "validate's libraries alone",
      target: beneath,
    }),
  );
  return figures;
}
