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

/** A figure whose pair ratios lie further than this from their median is inconclusive (issue 21). */
export const MAX_SPREAD = 0.1;

/**
 * The ratio of interleaved pairs: `{median, min, max, runs, spread, conclusive}`, spread being the
 * largest distance of a pair's ratio from the median, as a fraction of it.
 */
export function pairRatio(ratios) {
  const s = summarize(ratios);
  const spread = s.median ? Math.max(s.median - s.min, s.max - s.median) / s.median : null;
  return { ...s, spread, conclusive: spread !== null && spread <= MAX_SPREAD };
}

/** A verdict for a figure: true/false, or null ("inconclusive") when the pairs disagree too much. */
export function verdict(ratio, meets) {
  return ratio.conclusive ? meets(ratio.median) : null;
}
