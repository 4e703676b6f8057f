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
  /** Jobs that may wait for a free worker; more are refused with `SandboxUnavailableError`. */
  maxQueue: number;
  /** Worker code, run with `eval: true`; it must speak the `WorkerJob`/`WorkerReply` protocol. */
  source: string;
  workerData: unknown;
  /** Extra wall-clock time a job gets past its `timeoutMs` before its worker is terminated. */
  marginMs: (timeoutMs: number) => number;
}

interface PendingJob {
  job: WorkerJob;
  resolve: (outcome: PoolOutcome) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  state: "starting" | "idle" | "busy";
  running?: PendingJob;
  startedAt?: number;
  timer?: NodeJS.Timeout;
  fatal?: string;
}

/**
 * A fixed set of worker threads running one job each at a time, with a bounded FIFO queue and a
 * wall-clock backstop: the host never waits on a worker longer than `timeoutMs + marginMs`.
 * Idle workers are unref'd so a forgotten pool never holds the process open.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (Slot | undefined)[];
  readonly #queue: PendingJob[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: options.size }, () => undefined);
    for (let i = 0; i < options.size; i++) this.#spawn(i);
  }

  /** Number of live worker threads (starting, idle or busy). */
  get liveWorkers(): number {
    return this.#slots.filter((slot) => slot !== undefined).length;
  }

  submit(job: Omit<WorkerJob, "id">): Promise<PoolOutcome> {
    if (this.#closed) {
      return Promise.reject(
        new SandboxUnavailableError("the sandbox is closed; no more runs are accepted", "closed"),
      );
    }
    const hasIdle = this.#slots.some((slot) => slot?.state === "idle");
    if (!hasIdle && this.#queue.length >= this.#options.maxQueue) {
      return Promise.reject(
        new SandboxUnavailableError(
          `the sandbox queue is full (${this.#options.maxQueue} runs waiting for ${this.#options.size} workers); retry later`,
          "queue-full",
        ),
      );
    }
    for (let i = 0; i < this.#slots.length; i++) if (this.#slots[i] === undefined) this.#spawn(i);
    return new Promise<PoolOutcome>((resolve, reject) => {
      this.#queue.push({ job: { ...job, id: this.#nextId++ }, resolve, reject });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const closed = () =>
      new SandboxUnavailableError("the sandbox was closed before the run finished", "closed");
    for (const pending of this.#queue.splice(0)) pending.reject(closed());
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
    const worker = new Worker(this.#options.source, {
      eval: true,
      workerData: this.#options.workerData,
      env: {},
      execArgv: [],
    });
    const slot: Slot = { worker, state: "starting" };
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
        for (const pending of this.#queue.splice(0)) {
          pending.reject(
            new SandboxUnavailableError(`the sandbox could not start: ${message}`, "cannot-start"),
          );
        }
      }
      return;
    }
    this.#spawn(index);
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const index = this.#slots.findIndex((slot) => slot?.state === "idle");
      const slot = this.#slots[index];
      if (slot === undefined) break;
      const pending = this.#queue.shift() as PendingJob;
      slot.state = "busy";
      slot.running = pending;
      slot.startedAt = performance.now();
      const limitMs = pending.job.timeoutMs + this.#options.marginMs(pending.job.timeoutMs);
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
      if (slot.state === "busy" || (slot.state === "starting" && this.#queue.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  #backstop(index: number, slot: Slot): void {
    if (this.#slots[index] !== slot || slot.running === undefined) return;
    const elapsedMs = Math.round(performance.now() - (slot.startedAt ?? 0));
    this.#finish(slot, { kind: "backstop", elapsedMs });
    this.#slots[index] = undefined;
    void slot.worker.terminate();
    if (!this.#closed) this.#spawn(index);
  }

  #finish(slot: Slot, outcome: PoolOutcome): void {
    clearTimeout(slot.timer);
    const running = slot.running;
    slot.running = undefined;
    running?.resolve(outcome);
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}
