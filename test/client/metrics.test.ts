import { describe, expect, it } from "vitest";
import { MetricsRecorder } from "../../src/client/metrics.js";

describe("MetricsRecorder", () => {
  it("summarises latency with nearest-rank percentiles", () => {
    const m = new MetricsRecorder();
    for (let i = 1; i <= 100; i++) m.finished(i, i % 10 !== 0);
    const s = m.snapshot();
    expect(s.requests).toBe(100);
    expect(s.failures).toBe(10);
    expect(s.latency).toEqual({ count: 100, mean: 50.5, p50: 50, p95: 95, max: 100 });
  });

  it("keeps only the newest 10 000 samples for percentiles, but counts, sums and maxes them all", () => {
    const m = new MetricsRecorder();
    for (let i = 0; i < 5_000; i++) m.finished(1_000, true);
    for (let i = 0; i < 10_000; i++) m.finished(1, true);
    const s = m.snapshot().latency;
    expect(s.count).toBe(15_000);
    expect(s.max).toBe(1_000);
    expect(s.p95).toBe(1);
    expect(s.mean).toBeCloseTo((5_000 * 1_000 + 10_000) / 15_000, 6);
  });
});
