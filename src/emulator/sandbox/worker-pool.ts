import { Worker } from "node:worker_threads";
import { SandboxUnavailableError } from "./sandbox-unavailable-error.js";
import type { SandboxRunResult, WorkerJob, WorkerReply } from "./types.js";

/** How a submitted job ended, seen from the host. */
export type PoolOutcome =
  | { kind: "result"; result: SandboxRunResult }
  /** The worker overran its deadline plus margin and was terminated (then replaced). */
  | { kind: "backstop"; elapsedMs: number }
  /** The worker died while running the job (it is replaced). */
  | { kind: "crashed"; message: string };

export interface WorkerPoolOptions {
  size: number;
  /** Jobs one tenant may have waiting for a worker; more are refused with `SandboxUnavailableError`. */
  maxQueue: number;
  /**
   * Jobs one tenant may have running at once (default `ceil(size / 2)`): the other workers stay free for
   * the other tenants, so one tenant's flood never takes every worker (issue 15, noisy neighbours).
   */
  tenantConcurrency?: number;
  /** Worker code, run with `eval: true`; it must speak the `WorkerJob`/`WorkerReply` protocol. */
  source: string;
  /**
   * Handed to each worker; an object also gets `nice`: for a bulk worker the nice value its thread takes
   * for a long-run tenant's jobs (`WorkerJob.nice` says when), else 0.
   */
  workerData: unknown;
  /** Extra wall-clock time a job gets past its `timeoutMs` before its worker is terminated. */
  marginMs: (timeoutMs: number) => number;
  /** Spreads the `Retry-After` of refused jobs (default `Math.random`). */
  random?: () => number;
  /**
   * Nice value of a bulk worker's thread while it runs a job of a tenant whose runs are not short
   * (default 10; Linux; 0 = none); other jobs run at 0. A tenant with a backlog of
   * long runs is served by them, so under load its spinning scripts yield the CPU to the process's
   * other threads: the HTTP thread and the interactive workers.
   */
  bulkNice?: number;
  /**
   * A tenant whose recent runs took at most this long on average (default 10 ms) may use every idle
   * worker while no other tenant waits: a newcomer then waits at most about one short run.
   */
  shortRunMs?: number;
  /**
   * A tenant whose recent runs took longer than this on average (default 50 ms) is served by the bulk
   * workers only. Well above a trivial run, so that one run slowed by a busy machine does not move a
   * tenant of trivial runs to the bulk workers.
   */
  longRunMs?: number;
}

/** Longest `Retry-After` a refused job is given, in seconds. */
export const MAX_RETRY_AFTER_SECONDS = 30;

interface PendingJob {
  job: WorkerJob;
  tenant: string;
  resolve: (outcome: PoolOutcome) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Interactive workers take a tenant's only job, or short runs; bulk workers take the rest. */
  bulk: boolean;
  state: "starting" | "idle" | "busy";
  running?: PendingJob;
  startedAt?: number;
  timer?: NodeJS.Timeout;
  fatal?: string;
}

/**
 * A fixed set of worker threads running one job each at a time, with a wall-clock backstop: the host
 * never waits on a worker longer than `timeoutMs + marginMs`. Jobs wait in one bounded FIFO queue per
 * tenant; a free worker takes the next job of the tenants in turn (round robin), skipping a tenant that
 * already has `tenantConcurrency` jobs running — unless that tenant's runs are short and no other
 * tenant waits (the pool is work-conserving for short runs).
 *
 * With two workers or more, half of them (rounded up) are bulk workers, whose threads run the jobs of a
 * tenant of runs that are not short niced: a tenant whose recent runs were long (`longRunMs`) is served
 * by bulk workers only, so a flood of long runs never takes the interactive workers, and its spinning
 * threads yield the CPU to a neighbour's short runs (issue 15, noisy neighbours; bench B8). Idle
 * workers are unref'd so a forgotten pool never holds the process open.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #tenantConcurrency: number;
  readonly #shortRunMs: number;
  readonly #longRunMs: number;
  readonly #bulkSlots: number;
  readonly #slots: (Slot | undefined)[];
  /** Waiting jobs by tenant; the map's order is the turn order (a served tenant moves to the back). */
  readonly #waiting = new Map<string, PendingJob[]>();
  readonly #running = new Map<string, number>();
  /** Mean wall time of each tenant's recent jobs (exponentially weighted), for `Retry-After`. */
  readonly #meanMs = new Map<string, number>();
  #nextId = 1;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#tenantConcurrency = options.tenantConcurrency ?? Math.ceil(options.size / 2);
    this.#shortRunMs = options.shortRunMs ?? 10;
    this.#longRunMs = options.longRunMs ?? 50;
    this.#bulkSlots = options.size >= 2 ? Math.ceil(options.size / 2) : 0;
    this.#slots = Array.from({ length: options.size }, () => undefined);
    for (let i = 0; i < options.size; i++) this.#spawn(i);
  }

  /** Number of live worker threads (starting, idle or busy). */
  get liveWorkers(): number {
    return this.#slots.filter((slot) => slot !== undefined).length;
  }

  /** Number of started workers with no job. */
  get idleWorkers(): number {
    return this.#slots.filter((slot) => slot?.state === "idle").length;
  }

  /** Jobs of `tenant` running now. */
  runningFor(tenant: string): number {
    return this.#running.get(tenant) ?? 0;
  }

  /** Jobs of `tenant` waiting for a worker now. */
  waitingFor(tenant: string): number {
    return this.#waiting.get(tenant)?.length ?? 0;
  }

  submit(job: Omit<WorkerJob, "id">, tenant = ""): Promise<PoolOutcome> {
    if (this.#closed) {
      return Promise.reject(
        new SandboxUnavailableError("the sandbox is closed; no more runs are accepted", "closed"),
      );
    }
    const startsNow =
      this.waitingFor(tenant) === 0 &&
      this.runningFor(tenant) < this.#tenantConcurrency &&
      this.#slots.some((slot) => slot?.state === "idle");
    if (!startsNow && this.waitingFor(tenant) >= this.#options.maxQueue) {
      const retryAfter = this.#retryAfterSeconds(tenant, job.timeoutMs);
      return Promise.reject(
        new SandboxUnavailableError(
          `the sandbox queue of this tenant is full (${this.#options.maxQueue} runs waiting, ${this.runningFor(tenant)} running); retry in ${retryAfter} s`,
          "queue-full",
          retryAfter,
        ),
      );
    }
    for (let i = 0; i < this.#slots.length; i++) if (this.#slots[i] === undefined) this.#spawn(i);
    return new Promise<PoolOutcome>((resolve, reject) => {
      const queue = this.#waiting.get(tenant);
      const pending = { job: { ...job, id: this.#nextId++ }, tenant, resolve, reject };
      if (queue === undefined) this.#waiting.set(tenant, [pending]);
      else queue.push(pending);
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const closed = () =>
      new SandboxUnavailableError("the sandbox was closed before the run finished", "closed");
    for (const pending of this.#takeAllWaiting()) pending.reject(closed());
    const exits: Promise<number>[] = [];
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      if (slot === undefined) continue;
      this.#slots[i] = undefined;
      clearTimeout(slot.timer);
      slot.running?.reject(closed());
      slot.running = undefined;
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  #spawn(index: number): void {
    const bulk = index >= this.#options.size - this.#bulkSlots;
    const nice = bulk ? (this.#options.bulkNice ?? 10) : 0;
    const data = this.#options.workerData;
    const worker = new Worker(this.#options.source, {
      eval: true,
      // An object gets `nice`, the value the thread takes for a long-run tenant's jobs.
      workerData: typeof data === "object" && data !== null ? { ...data, nice } : data,
      env: {},
      execArgv: [],
    });
    const slot: Slot = { worker, state: "starting", bulk };
    this.#slots[index] = slot;
    worker.on("message", (reply: WorkerReply) => this.#onReply(index, slot, reply));
    worker.on("error", (error: Error) => this.#onGone(index, slot, error.message));
    worker.on("exit", (code: number) => this.#onGone(index, slot, `the worker exited with code ${code}`));
    this.#updateRefs();
  }

  #onReply(index: number, slot: Slot, reply: WorkerReply): void {
    if (this.#slots[index] !== slot) return;
    if (reply.type === "fatal") {
      slot.fatal = reply.message;
      return;
    }
    if (reply.type === "result") {
      if (slot.running?.job.id !== reply.id) return;
      this.#finish(slot, { kind: "result", result: reply.result });
    }
    slot.state = "idle";
    this.#pump();
  }

  #onGone(index: number, slot: Slot, reason: string): void {
    if (this.#slots[index] !== slot) return;
    this.#slots[index] = undefined;
    const message = firstLine(slot.fatal ?? reason);
    if (slot.running) this.#finish(slot, { kind: "crashed", message });
    if (this.#closed) return;
    if (slot.state === "starting") {
      // Never respawn in a loop: if no worker can start, refuse what waits; the next submit tries again.
      if (this.liveWorkers === 0) {
        for (const pending of this.#takeAllWaiting()) {
          pending.reject(
            new SandboxUnavailableError(`the sandbox could not start: ${message}`, "cannot-start"),
          );
        }
      }
      return;
    }
    this.#spawn(index);
    this.#pump();
  }

  /**
   * About when the tenant's queue will have room: its backlog times the mean run time, spread by up to
   * half again at random so that clients refused together do not all come back in the same second.
   */
  #retryAfterSeconds(tenant: string, timeoutMs: number): number {
    const backlog = (this.waitingFor(tenant) + this.runningFor(tenant)) / this.#tenantConcurrency;
    const drainMs = backlog * (this.#meanMs.get(tenant) ?? timeoutMs);
    const spread = 1 + (this.#options.random ?? Math.random)() / 2;
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((drainMs * spread) / 1000)));
  }

  #takeAllWaiting(): PendingJob[] {
    const all = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    return all;
  }

  /**
   * The next job by turn for `slot`: the first tenant in turn order that may use it; it moves to the
   * back. A tenant below its quota may; above it only when its recent runs were short and no other
   * tenant waits. An interactive worker (when bulk workers exist) takes no tenant whose recent runs
   * were long.
   */
  #nextJob(slot: Slot): PendingJob | undefined {
    for (const [tenant, queue] of this.#waiting) {
      const running = this.runningFor(tenant);
      const mean = this.#meanMs.get(tenant);
      const short = mean !== undefined && mean <= this.#shortRunMs;
      if (running >= this.#tenantConcurrency && !(short && this.#waiting.size === 1)) continue;
      if (!slot.bulk && this.#bulkSlots > 0 && mean !== undefined && mean > this.#longRunMs) continue;
      const pending = queue.shift()!;
      this.#waiting.delete(tenant);
      if (queue.length > 0) this.#waiting.set(tenant, queue);
      this.#running.set(tenant, running + 1);
      return pending;
    }
    return undefined;
  }

  /**
   * The nice value `slot` runs the tenant's next job at: a bulk worker's level for a tenant whose
   * recent runs were not short, else 0. A tenant of short runs on a bulk worker runs at the process's
   * priority: niced, it lost its thread to any other thread of the machine and its runs there were the
   * tail of its latency (B8: p99 up to 6× the median at concurrency 16, the bulk worker serving 15–40 %
   * of the runs instead of half).
   */
  #niceFor(slot: Slot, tenant: string): number {
    if (!slot.bulk) return 0;
    const mean = this.#meanMs.get(tenant);
    return mean !== undefined && mean > this.#shortRunMs ? (this.#options.bulkNice ?? 10) : 0;
  }

  #pump(): void {
    for (let index = 0; index < this.#slots.length && this.#waiting.size > 0; index++) {
      const slot = this.#slots[index];
      if (slot?.state !== "idle") continue;
      const pending = this.#nextJob(slot);
      if (pending === undefined) continue;
      slot.state = "busy";
      slot.running = pending;
      slot.startedAt = performance.now();
      const limitMs = pending.job.timeoutMs + this.#options.marginMs(pending.job.timeoutMs);
      pending.job.nice = this.#niceFor(slot, pending.tenant);
      slot.timer = setTimeout(() => this.#backstop(index, slot), limitMs);
      slot.worker.postMessage(pending.job);
    }
    this.#updateRefs();
  }

  /**
   * A worker holds the process open only while a job needs it (running, or waiting for it to start),
   * so a pool that is never closed does not keep a finished program alive.
   * Called after the listeners are attached: adding a "message" listener refs the worker's port again.
   */
  #updateRefs(): void {
    for (const slot of this.#slots) {
      if (slot === undefined) continue;
      if (slot.state === "busy" || (slot.state === "starting" && this.#waiting.size > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  #backstop(index: number, slot: Slot): void {
    if (this.#slots[index] !== slot || slot.running === undefined) return;
    const elapsedMs = Math.round(performance.now() - (slot.startedAt ?? 0));
    this.#finish(slot, { kind: "backstop", elapsedMs });
    this.#slots[index] = undefined;
    void slot.worker.terminate();
    if (this.#closed) return;
    this.#spawn(index);
    this.#pump();
  }

  #finish(slot: Slot, outcome: PoolOutcome): void {
    clearTimeout(slot.timer);
    const running = slot.running;
    slot.running = undefined;
    if (running === undefined) return;
    const tookMs = performance.now() - (slot.startedAt ?? performance.now());
    const mean = this.#meanMs.get(running.tenant);
    this.#meanMs.set(running.tenant, mean === undefined ? tookMs : 0.8 * mean + 0.2 * tookMs);
    const count = this.runningFor(running.tenant) - 1;
    if (count > 0) this.#running.set(running.tenant, count);
    else this.#running.delete(running.tenant);
    running.resolve(outcome);
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}
