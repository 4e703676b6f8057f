import { describe, expect, it } from "vitest";
import { Pacer } from "../../src/client/pacer.js";

/** Virtual time: sleeps wait in a queue; `drain` wakes them in time order until none is left. */
function virtualTime() {
  let now = 0;
  const timers: { at: number; wake: () => void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    clock: () => now,
    sleep: (ms: number) =>
      new Promise<void>((wake) => {
        timers.push({ at: now + ms, wake });
      }),
    async drain() {
      for (;;) {
        await settle();
        if (timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift()!;
        now = Math.max(now, next.at);
        next.wake();
      }
    },
  };
}

function pacer(time: ReturnType<typeof virtualTime>, maxConcurrency = 4): Pacer {
  return new Pacer({ maxConcurrency, maxRetryAfterMs: 60_000, defaultPauseMs: 200, ...time });
}

describe("Pacer", () => {
  it("lets concurrent waiters through one per refilled token, not all at once", async () => {
    const time = virtualTime();
    const p = pacer(time);
    p.observe(200, { "ratelimit-limit": "3", "ratelimit-remaining": "0", "ratelimit-reset": "3" });
    const starts: number[] = [];
    const runs = Promise.all(
      [1, 2, 3].map(() =>
        p.run(async () => {
          starts.push(time.clock());
        }),
      ),
    );
    await time.drain();
    await runs;
    // 3 tokens per 3 s: one every second, each waiter in turn.
    expect(starts).toEqual([1000, 2000, 3000]);
  });

  it("holds no more than the policy's burst, though Limit is the whole window's quota", async () => {
    const time = virtualTime();
    const p = pacer(time, 100);
    p.observe(200, {
      "ratelimit-limit": "600",
      "ratelimit-remaining": "20",
      "ratelimit-reset": "0",
      "ratelimit-policy": "600;w=60;burst=20",
    });
    // Idle for a whole window: the bucket still holds only 20 tokens.
    const idle = time.sleep(60_000);
    await time.drain();
    await idle;
    const starts: number[] = [];
    const runs = Promise.all(
      Array.from({ length: 22 }, () =>
        p.run(async () => {
          starts.push(time.clock() - 60_000);
        }),
      ),
    );
    await time.drain();
    await runs;
    // 20 at once, then one every 100 ms (600 per 60 s).
    expect(starts).toEqual([...Array.from({ length: 20 }, () => 0), 100, 200]);
  });

  it("takes the refill rate from RateLimit-Policy when the server sends one", async () => {
    const time = virtualTime();
    const p = pacer(time, 1);
    // Reset is whole seconds and rounded up: 20 tokens "in 3 s" alone would mean one every 150 ms.
    p.observe(200, {
      "ratelimit-limit": "20",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "3",
      "ratelimit-policy": "1200;w=60;burst=20",
    });
    const starts: number[] = [];
    const runs = Promise.all(
      [1, 2].map(() =>
        p.run(async () => {
          starts.push(time.clock());
        }),
      ),
    );
    await time.drain();
    await runs;
    // 1 200 per 60 s = one token every 50 ms.
    expect(starts).toEqual([50, 100]);
  });
});
