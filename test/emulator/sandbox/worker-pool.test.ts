import { afterEach, describe, expect, it, vi } from "vitest";
import { SandboxUnavailableError } from "../../../src/emulator/sandbox/sandbox-unavailable-error.js";
import { WorkerPool, type WorkerPoolOptions } from "../../../src/emulator/sandbox/worker-pool.js";

// A stand-in worker speaking the WorkerJob/WorkerReply protocol; `job.source` says what to do.
const FAKE_WORKER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (job) => {
  if (job.source === "hang") for (;;) {}
  if (job.source === "crash") process.exit(3);
  if (job.source === "fatal") { parentPort.postMessage({ type: "fatal", message: "wasm aborted\\nstack" }); process.exit(1); }
  if (job.source === "hold") return;
  if (job.source.startsWith("spin:")) { const end = Date.now() + Number(job.source.slice(5)); while (Date.now() < end) {} }
  if (job.source === "class") {
    const nice = require("node:worker_threads").workerData?.nice;
    parentPort.postMessage({ type: "result", id: job.id, result: { status: "SUCCESS", output: nice > 0 ? "bulk" : "interactive", logs: [], durationMs: 0 } });
    return;
  }
  if (job.source === "nice") {
    parentPort.postMessage({ type: "result", id: job.id, result: { status: "SUCCESS", output: job.nice, logs: [], durationMs: 0 } });
    return;
  }
  parentPort.postMessage({ type: "result", id: job.id, result: { status: "SUCCESS", output: job.source, logs: [], durationMs: 0 } });
});
parentPort.postMessage({ type: "ready" });
`;

const pools: WorkerPool[] = [];
function pool(options: Partial<WorkerPoolOptions> = {}): WorkerPool {
  const created = new WorkerPool({
    size: 1,
    maxQueue: 4,
    source: FAKE_WORKER,
    workerData: null,
    marginMs: () => 50,
    ...options,
  });
  pools.push(created);
  return created;
}
const job = (source: string) => ({ source, contextJson: "{}", timeoutMs: 50, memoryBytes: 1 });
/** Both workers of a two-worker pool started and idle. */
const warmTwo = (p: WorkerPool) => vi.waitFor(() => expect(p.idleWorkers).toBe(2), { timeout: 10_000 });

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe("WorkerPool", () => {
  it("runs jobs in order on its workers", async () => {
    const p = pool({ size: 2 });
    const outcomes = await Promise.all(["a", "b", "c"].map((s) => p.submit(job(s))));
    expect(outcomes.map((o) => (o.kind === "result" ? o.result.output : o.kind))).toEqual(["a", "b", "c"]);
  });

  it("holds the process open only while a job needs a worker", async () => {
    const refs = () => process.getActiveResourcesInfo().filter((name) => name === "MessagePort").length;
    const baseline = refs();
    const p = pool({ size: 2 });
    expect(refs()).toBe(baseline);
    const pending = p.submit(job("a"));
    expect(refs()).toBeGreaterThan(baseline);
    await pending;
    expect(refs()).toBe(baseline);
  });

  it("terminates a worker that overruns its deadline and replaces it", async () => {
    const p = pool();
    const outcome = await p.submit(job("hang"));
    expect(outcome.kind).toBe("backstop");
    expect(p.liveWorkers).toBe(1);
    expect(await p.submit(job("after"))).toMatchObject({ kind: "result", result: { output: "after" } });
  });

  it("reports a worker that dies mid-job and replaces it", async () => {
    const p = pool();
    expect(await p.submit(job("crash"))).toEqual({
      kind: "crashed",
      message: "the worker exited with code 3",
    });
    expect(await p.submit(job("fatal"))).toEqual({ kind: "crashed", message: "wasm aborted" });
    expect(await p.submit(job("after"))).toMatchObject({ kind: "result", result: { output: "after" } });
  });

  it("refuses a job when the queue is full, with a 503 the route can answer", async () => {
    const p = pool({ size: 1, maxQueue: 1, marginMs: () => 60_000 });
    await p.submit(job("warm"));
    const held = expect(p.submit(job("hold"))).rejects.toMatchObject({ reason: "closed" });
    const queued = expect(p.submit(job("queued"))).rejects.toMatchObject({ reason: "closed" });
    const refused = p.submit(job("refused"));
    await expect(refused).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(refused).rejects.toMatchObject({
      status: 503,
      slug: "service-unavailable",
      reason: "queue-full",
    });
    await expect(refused).rejects.toThrow(
      /^the sandbox queue of this tenant is full \(1 runs waiting, 1 running\); retry in \d+ s$/,
    );
    await p.close();
    await held;
    await queued;
  });

  it("serves the tenants' queues in turn: a tenant's backlog does not hold up a later tenant", async () => {
    const p = pool({ size: 1 });
    const order: string[] = [];
    const submit = (tenant: string, name: string) =>
      p.submit(job(name), tenant).then(() => {
        order.push(name);
      });
    // All six wait for the worker to start; then it takes one job per tenant in turn.
    await Promise.all([
      submit("A", "a1"),
      submit("A", "a2"),
      submit("A", "a3"),
      submit("A", "a4"),
      submit("B", "b1"),
      submit("B", "b2"),
    ]);
    expect(order).toEqual(["a1", "b1", "a2", "b2", "a3", "a4"]);
  });

  it("runs at most tenantConcurrency jobs of one tenant at once, leaving the other workers to others", async () => {
    // Two workers: by default a tenant gets one of them (ceil(2 / 2)).
    const p = pool({ size: 2, marginMs: () => 60_000 });
    const held = [p.submit(job("hold"), "A"), p.submit(job("hold"), "A")];
    for (const h of held) void h.catch(() => {});
    // A's second job waits although a worker is free; B's job takes that worker and finishes.
    expect(await p.submit(job("b"), "B")).toMatchObject({ kind: "result", result: { output: "b" } });
    expect(p.runningFor("A")).toBe(1);
    expect(p.waitingFor("A")).toBe(1);
    expect(p.runningFor("B")).toBe(0);
  });

  it("serves a tenant of long runs on the bulk workers only, keeping the interactive one for a neighbour's short runs", async () => {
    const p = pool({ size: 2, workerData: {}, marginMs: () => 60_000, shortRunMs: 10, longRunMs: 20 });
    await warmTwo(p);
    // A's runs are long (30 ms > 20 ms); then A floods.
    expect(await p.submit(job("spin:30"), "A")).toMatchObject({ kind: "result" });
    const flood = [p.submit(job("class"), "A"), p.submit(job("hold"), "A"), p.submit(job("hold"), "A")];
    for (const f of flood) void f.catch(() => {});
    expect(await flood[0]).toMatchObject({ result: { output: "bulk" } });
    // A holds the bulk worker now; the interactive one stays free for B's single run, at once.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([p.runningFor("A"), p.waitingFor("A")]).toEqual([1, 1]);
    expect(await p.submit(job("class"), "B")).toMatchObject({ result: { output: "interactive" } });
    expect(await p.submit(job("class"), "B")).toMatchObject({ result: { output: "interactive" } });
    expect([p.runningFor("A"), p.waitingFor("A")]).toEqual([1, 1]);
  });

  it("lets a tenant of short runs use every idle worker while no one else waits", async () => {
    // Short = at most 1 s here, so a slow test machine cannot make the instant fake runs long.
    const p = pool({ size: 2, marginMs: () => 60_000, shortRunMs: 1000 });
    await warmTwo(p);
    // Unknown run length: one worker (the quota).
    const first = [p.submit(job("a1"), "A"), p.submit(job("a2"), "A")];
    await Promise.all(first);
    // Its runs proved short: both workers, above the quota of one.
    const held = [p.submit(job("hold"), "A"), p.submit(job("hold"), "A")];
    for (const h of held) void h.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(p.runningFor("A")).toBe(2);
  });

  it("runs a long-run tenant's jobs niced on a bulk worker, and a short-run tenant's at 0 on any worker", async () => {
    // Short = at most 300 ms here, so a slow test machine cannot make the instant fake runs long.
    const p = pool({ size: 2, workerData: {}, marginMs: () => 60_000, shortRunMs: 300, bulkNice: 7 });
    await warmTwo(p);
    // B's runs are short: it may take both workers, and the bulk one runs its job at 0.
    expect(await p.submit(job("nice"), "B")).toMatchObject({ result: { output: 0 } });
    const held = p.submit(job("hold"), "B");
    void held.catch(() => {});
    expect(await p.submit(job("class"), "B")).toMatchObject({ result: { output: "bulk" } });
    expect(await p.submit(job("nice"), "B")).toMatchObject({ result: { output: 0 } });
    // A's runs are not short (400 ms > 300 ms): on the bulk worker (the other is held), at its nice value.
    await p.submit(job("spin:400"), "A");
    expect(await p.submit(job("nice"), "A")).toMatchObject({ result: { output: 7 } });
    // The same bulk worker goes back to 0 for B.
    expect(await p.submit(job("nice"), "B")).toMatchObject({ result: { output: 0 } });
  });

  it("keeps a tenant of long runs to its quota even when alone", async () => {
    const p = pool({ size: 2, marginMs: () => 60_000, shortRunMs: 10 });
    await warmTwo(p);
    await p.submit(job("spin:30"), "A"); // a mean of at least 30 ms: not short
    const held = [p.submit(job("hold"), "A"), p.submit(job("hold"), "A")];
    for (const h of held) void h.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([p.runningFor("A"), p.waitingFor("A")]).toEqual([1, 1]);
  });

  it("bounds each tenant's queue on its own: a full queue refuses that tenant only", async () => {
    const p = pool({ size: 1, maxQueue: 2, marginMs: () => 60_000 });
    await p.submit(job("warm"), "A");
    const a = [p.submit(job("hold"), "A"), p.submit(job("a2"), "A"), p.submit(job("a3"), "A")];
    for (const pending of a) void pending.catch(() => {});
    await expect(p.submit(job("a4"), "A")).rejects.toMatchObject({ reason: "queue-full" });
    const b = p.submit(job("b1"), "B");
    void b.catch(() => {});
    expect([p.waitingFor("A"), p.waitingFor("B"), p.runningFor("A")]).toEqual([2, 1, 1]);
    await p.close();
    for (const pending of [...a, b]) await expect(pending).rejects.toMatchObject({ reason: "closed" });
  });

  it("tells a refused tenant to come back when its backlog should have drained, spread at random", async () => {
    const draws = [0, 0.999];
    const p = pool({ size: 1, maxQueue: 1, marginMs: () => 60_000, random: () => draws.shift() ?? 0 });
    const pending = [p.submit(job("hold"), "A"), p.submit({ ...job("b1"), timeoutMs: 4000 }, "B")];
    for (const h of pending) void h.catch(() => {});
    // B has one run waiting and none finished yet: its backlog is one run of its 4 s deadline.
    const refusal = (error: unknown) => (error as SandboxUnavailableError).retryAfterSeconds;
    const first = await p.submit({ ...job("b2"), timeoutMs: 4000 }, "B").catch(refusal);
    const second = await p.submit({ ...job("b3"), timeoutMs: 4000 }, "B").catch(refusal);
    expect([first, second]).toEqual([4, 6]);
  });

  it("close() terminates every worker and refuses later jobs", async () => {
    const p = pool({ size: 3 });
    await p.submit(job("warm"));
    expect(p.liveWorkers).toBe(3);
    await p.close();
    expect(p.liveWorkers).toBe(0);
    await expect(p.submit(job("late"))).rejects.toMatchObject({ reason: "closed" });
  });

  it("refuses jobs when no worker can start, and tries again on the next submit", async () => {
    const p = pool({ source: "throw new Error('cannot load quickjs');" });
    await expect(p.submit(job("x"))).rejects.toMatchObject({ reason: "cannot-start" });
    await expect(p.submit(job("y"))).rejects.toThrow("the sandbox could not start");
  });
});
