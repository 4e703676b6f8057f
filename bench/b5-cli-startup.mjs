/**
 * B5: CLI start-up, wall time of real processes from dist/ against `node -e 0` (issue 21):
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
import { timeSpawn } from "./lib/processes.mjs";
import { pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "CLI start-up";
export const TARGET = "≤ 1.2 / 2 × node -e 0";
const PAIRS = 31;
const BIN = fileURLToPath(new URL("../dist/cli/bin.cjs", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/contact-center/cxda.yaml", import.meta.url));

const COMMANDS = [
  ["B5.1", "cxda --version wall time", ["--version"], 1.2],
  ["B5.2", "cxda --help wall time", ["--help"], 1.2],
  ["B5.3", "cxda plan --help wall time", ["plan", "--help"], 2],
  ["B5.4", "cxda validate examples/contact-center wall time", ["validate", "-f", EXAMPLE], 2],
];

/** Interleaved pairs of `node …nodeArgs` and `node …baseArgs`. */
async function pairs(nodeArgs, baseArgs = ["-e", "0"]) {
  const run = () => timeSpawn(process.execPath, nodeArgs, { env: { ...process.env, NO_COLOR: "1" } });
  const base = () => timeSpawn(process.execPath, baseArgs);
  for (let i = 0; i < 2; i += 1) {
    // the disk cache
    await run();
    await base();
  }
  const node = [];
  const cli = [];
  const ratios = [];
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
    node.push(b);
    cli.push(c);
    ratios.push(c / b);
  }
  return { node: summarize(node), cli: summarize(cli), ratio: pairRatio(ratios) };
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

export async function run({ log }) {
  const figures = [];
  for (const [key, figure, args, limit] of COMMANDS) {
    const r = await pairs([BIN, ...args]);
    log(
      `${figure}: ${r.cli.median.toFixed(1)} ms vs ${r.node.median.toFixed(1)} ms, ratio ${r.ratio.median.toFixed(2)} (${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}, spread ±${(r.ratio.spread * 100).toFixed(0)} %)`,
    );
    figures.push({
      id: "B5",
      key,
      figure,
      unit: "ms",
      status: r.ratio.conclusive ? "ok" : "inconclusive",
      measured: r.cli,
      baseline: { label: "node -e 0", unit: "ms", ...r.node },
      ratio: r.ratio.median,
      ratioRange: { min: r.ratio.min, max: r.ratio.max, spread: r.ratio.spread, runs: r.ratio.runs },
      target: `≤ ${limit} × node -e 0`,
      met: verdict(r.ratio, (x) => x <= limit),
      note: `ratio = median of ${PAIRS} interleaved pairs`,
    });
  }
  const floor = [await bundleFloor(), fileURLToPath(new URL("../examples/contact-center", import.meta.url))];
  const floorRuns = await pairs(floor);
  const validate = await pairs([BIN, "validate", "-f", EXAMPLE], floor);
  rmSync(dirname(floor[0]), { recursive: true, force: true });
  for (const [key, figure, r, baseline] of [
    [
      "B5.5",
      "validate's libraries alone (yaml, zod, acorn, Temporal), bundled, wall time",
      floorRuns,
      "node -e 0",
    ],
    [
      "B5.6",
      "cxda validate examples/contact-center ÷ its libraries alone",
      validate,
      "validate's libraries alone",
    ],
  ]) {
    log(
      `${figure}: ${r.cli.median.toFixed(1)} ms vs ${r.node.median.toFixed(1)} ms, ratio ${r.ratio.median.toFixed(2)} (${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}, spread ±${(r.ratio.spread * 100).toFixed(0)} %)`,
    );
    figures.push({
      id: "B5",
      key,
      figure,
      unit: "ms",
      status: r.ratio.conclusive ? "ok" : "inconclusive",
      measured: r.cli,
      baseline: { label: baseline, unit: "ms", ...r.node },
      ratio: r.ratio.median,
      ratioRange: { min: r.ratio.min, max: r.ratio.max, spread: r.ratio.spread, runs: r.ratio.runs },
      target: "— (what validate cannot go below)",
      met: null,
      note: `ratio = median of ${PAIRS} interleaved pairs`,
    });
  }
  return figures;
}
