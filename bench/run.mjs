/**
 * `npm run bench [-- B2 B4]`: runs the benchmarks of issue 10 (all, or the ones named), prints the
 * table of figure, measured value, baseline, ratio and target, and writes bench/results.json.
 * `node bench/run.mjs --table` prints the last results as the README's markdown table.
 * Benchmarks are never part of `npm test`; they compare ratios against baselines run alongside.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closeApiAgent } from "./lib/api.mjs";
import { machineInfo } from "./lib/machine.mjs";
import { printTable, writeResults } from "./lib/report.mjs";

const BENCHES = {
  B1: "./b1-read-requests.mjs",
  B2: "./b2-apply-rate-limited.mjs",
  B3: "./b3-sdk-throughput.mjs",
  B4: "./b4-emulator-throughput.mjs",
  B5: "./b5-cli-startup.mjs",
  B6: "./b6-pure-work.mjs",
  B7: "./b7-memory.mjs",
  B8: "./b8-noisy-neighbour.mjs",
  B9: "./b9-long-apply.mjs",
  B10: "./b10-changesets.mjs",
  B11: "./b11-replicas.mjs",
  B12: "./b12-postgres.mjs",
  B13: "./b13-console.mjs",
};

if (process.argv.includes("--table")) {
  // Prints the markdown table of the last results (for the README) and runs nothing.
  const { readFileSync } = await import("node:fs");
  const { RESULTS_FILE, tableLines } = await import("./lib/report.mjs");
  const results = JSON.parse(readFileSync(RESULTS_FILE, "utf8"));
  for (const line of tableLines(results.figures)) console.log(line);
  process.exit(0);
}
const asked = process.argv.slice(2).map((a) => a.toUpperCase());
const unknown = asked.filter((a) => !(a in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHES).join(", ")}`);
  process.exit(64);
}
if (!existsSync(fileURLToPath(new URL("../dist/index.js", import.meta.url)))) {
  console.error("dist/ is missing: run `npm run build` first (npm run bench does).");
  process.exit(1);
}
const ids = asked.length > 0 ? asked : Object.keys(BENCHES);
const machine = machineInfo();
const started = Date.now();
const figures = [];
for (const id of ids) {
  const t0 = Date.now();
  console.log(`\n${id}: running…`);
  const bench = await import(BENCHES[id]);
  try {
    const produced = await bench.run({ log: (line) => console.log(`  ${id} ${line}`) });
    const at = new Date().toISOString();
    figures.push(...produced.map((f) => ({ ...f, measuredAt: at })));
  } catch (error) {
    console.error(`  ${id} failed: ${error?.stack ?? error}`);
    figures.push({
      id,
      key: `${id}.0`,
      figure: bench.TITLE ?? id,
      status: "error",
      note: `error: ${String(error?.message ?? error).slice(0, 200)}`,
      measured: null,
      baseline: null,
      ratio: null,
      target: bench.TARGET ?? "—",
      met: false,
    });
  }
  console.log(`  ${id} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
await closeApiAgent();
writeResults(figures, machine, ids);
printTable(figures, machine);
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s; results in bench/results.json`);
process.exit(0);
