/** The results table (stdout) and `bench/results.json` (every figure with its baseline and runs). */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { round } from "./stats.mjs";

export const RESULTS_FILE = fileURLToPath(new URL("../results.json", import.meta.url));

function fmt(value, unit) {
  if (value === null || value === undefined) return "—";
  const n = Math.abs(value) >= 100 ? Math.round(value) : round(value, Math.abs(value) >= 10 ? 1 : 2);
  return unit ? `${n} ${unit}` : String(n);
}

function spread(stat, unit) {
  if (!stat || stat.median === null) return "—";
  if (stat.runs.length <= 1 || stat.min === stat.max) return fmt(stat.median, unit);
  return `${fmt(stat.median, unit)} (${fmt(stat.min)}–${fmt(stat.max)})`;
}

function ratioText(ratio) {
  return ratio >= 0.1 ? String(round(ratio, 2)) : ratio.toPrecision(2);
}

/** One row per figure: the markdown table the README shows too. */
export function tableLines(figures) {
  const rows = figures.map((f) => [
    f.id,
    f.figure,
    f.status === "pending" ? `pending: ${f.note}` : spread(f.measured, f.unit),
    f.baseline ? `${f.baseline.label}: ${spread(f.baseline, f.baseline.unit ?? f.unit)}` : "—",
    f.ratio === null || f.ratio === undefined
      ? "—"
      : f.ratioRange
        ? `${ratioText(f.ratio)}× (${ratioText(f.ratioRange.min)}–${ratioText(f.ratioRange.max)})`
        : `${ratioText(f.ratio)}×`,
    f.target,
    f.status === "inconclusive"
      ? "inconclusive (pairs spread > ±10 %)"
      : f.met === null || f.met === undefined
        ? "—"
        : f.met
          ? "yes"
          : "**no**",
  ]);
  const header = ["#", "figure", "measured: median (min–max)", "baseline", "ratio", "target", "met?"];
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)];
}

export function printTable(figures, machine) {
  console.log("");
  console.log(
    `machine: ${machine.nproc} × ${machine.cpu}, node ${machine.node}, load ${machine.loadAverage.join(" ")}`,
  );
  for (const l of tableLines(figures)) console.log(l);
  for (const f of figures)
    if (f.note && f.status !== "pending") console.log(`  ${f.id} ${f.figure}: ${f.note}`);
}

/** Writes results.json; figures of benchmarks not run this time are kept from the previous file. */
export function writeResults(figures, machine, ranIds) {
  let previous = [];
  if (existsSync(RESULTS_FILE)) {
    try {
      previous = JSON.parse(readFileSync(RESULTS_FILE, "utf8")).figures ?? [];
    } catch {
      previous = [];
    }
  }
  const kept = previous.filter((f) => !ranIds.includes(f.id));
  const all = [...kept, ...figures].sort((a, b) => a.key.localeCompare(b.key));
  const doc = { generatedAt: new Date().toISOString(), machine, figures: all };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(doc, null, 2)}\n`);
  return all;
}
