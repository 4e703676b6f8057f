/**
 * B5: `cxda --version` and `cxda --help` median wall time against `node -e 0` (target ≤ 2.0×).
 * Spawns real processes from dist/, interleaved with the baseline so machine load hits both alike.
 */
import { fileURLToPath } from "node:url";
import { timeSpawn } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "CLI start-up";
export const TARGET = "≤ 2.0 × node -e 0";
const RUNS = 15;
const BIN = fileURLToPath(new URL("../dist/cli/bin.js", import.meta.url));

export async function run({ log }) {
  const node = [];
  const version = [];
  const help = [];
  for (let i = 0; i < 2; i += 1) await timeSpawn(process.execPath, [BIN, "--version"]); // warm the disk cache
  for (let i = 0; i < RUNS; i += 1) {
    node.push(await timeSpawn(process.execPath, ["-e", "0"]));
    version.push(await timeSpawn(process.execPath, [BIN, "--version"]));
    help.push(await timeSpawn(process.execPath, [BIN, "--help"]));
  }
  const baseline = { label: "node -e 0", unit: "ms", ...summarize(node) };
  return [
    ["B5.1", "cxda --version wall time", version],
    ["B5.2", "cxda --help wall time", help],
  ].map(([key, figure, values]) => {
    const measured = summarize(values);
    const ratio = measured.median / baseline.median;
    log(
      `${figure}: ${measured.median.toFixed(1)} ms vs ${baseline.median.toFixed(1)} ms (${ratio.toFixed(2)}×)`,
    );
    return {
      id: "B5",
      key,
      figure,
      unit: "ms",
      status: "ok",
      measured,
      baseline,
      ratio,
      target: TARGET,
      met: ratio <= 2.0,
    };
  });
}
