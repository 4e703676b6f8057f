/** Counters and a latency summary per client (every retry counted). */
import type { ClientMetrics, LatencySummary } from "./types.js";

/** Latencies kept for percentiles; older samples are dropped first. */
const MAX_SAMPLES = 10_000;

export class MetricsRecorder {
  private requests = 0;
  private attempts = 0;
  private retries = 0;
  private rateLimited = 0;
  private failures = 0;
  private readonly byStatus: Record<string, number> = {};
  /** A ring of the newest MAX_SAMPLES latencies: no array shifting per request. */
  private readonly samples = new Float64Array(MAX_SAMPLES);
  private next = 0;
  private count = 0;
  private sum = 0;
  private max = 0;

  attempt(): void {
    this.attempts += 1;
  }

  status(status: number): void {
    const key = String(status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    if (status === 429) this.rateLimited += 1;
  }

  retry(): void {
    this.retries += 1;
  }

  finished(latencyMs: number, ok: boolean): void {
    this.requests += 1;
    if (!ok) this.failures += 1;
    this.count += 1;
    this.sum += latencyMs;
    this.max = Math.max(this.max, latencyMs);
    this.samples[this.next] = latencyMs;
    this.next = (this.next + 1) % MAX_SAMPLES;
  }

  snapshot(): ClientMetrics {
    return {
      requests: this.requests,
      attempts: this.attempts,
      retries: this.retries,
      rateLimited: this.rateLimited,
      failures: this.failures,
      latency: this.latency(),
      byStatus: { ...this.byStatus },
    };
  }

  private latency(): LatencySummary {
    if (this.count === 0) return { count: 0, mean: 0, p50: 0, p95: 0, max: 0 };
    const kept = Math.min(this.count, MAX_SAMPLES);
    const sorted = Array.from(this.samples.subarray(0, kept)).sort((a, b) => a - b);
    return {
      count: this.count,
      mean: this.sum / this.count,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      max: this.max,
    };
  }
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? 0;
}
