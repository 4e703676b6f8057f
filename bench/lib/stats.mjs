/** Median, min and max of repeated runs: every figure of the benchmarks is reported this way. */

/** `{median, min, max, runs}` of the values, in run order. */
export function summarize(values) {
  if (values.length === 0) return { median: null, min: null, max: null, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` value). */
export function msSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Rounds for display and for results.json (3 significant decimals at most). */
export function round(value, digits = 3) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
