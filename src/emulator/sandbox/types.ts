/** Public shapes of the sandbox and the message protocol between the host and its workers. */

export interface SandboxContext {
  input: unknown;
  variables: Record<string, unknown>;
  environment: unknown;
}

export interface SandboxRunInput {
  /** The action's script; it must declare `main(context)` at the top level. */
  source: string;
  /** Passed to `main` as JSON, parsed inside QuickJS: the script never sees a host object. */
  context: SandboxContext;
  /** CPU deadline in milliseconds (default 1000). */
  timeoutMs?: number;
  /** Memory limit in bytes (default 32 MiB). */
  memoryBytes?: number;
  /** Whose run this is: each tenant has its own concurrency quota and queue (default: one shared). */
  tenant?: string;
}

export type SandboxRunStatus = "SUCCESS" | "FAILURE" | "TIMEOUT";

export interface SandboxRunResult {
  status: SandboxRunStatus;
  /** `main`'s result as JSON data; `null` unless SUCCESS. */
  output: unknown;
  /** Why the run failed or timed out, e.g. `Error: boom (line 3, column 9)`. */
  error?: string;
  /** `console.log/info/debug` lines as given, `console.warn/error` lines prefixed `[warn] `/`[error] `. */
  logs: string[];
  durationMs: number;
}

export interface Sandbox {
  /** Runs `main(context)`; rejects only with `SandboxUnavailableError` (queue full, closed, cannot start). */
  run(input: SandboxRunInput): Promise<SandboxRunResult>;
  /** Terminates every worker and refuses queued and later runs. */
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** Worker threads, each with its own QuickJS WebAssembly module (default 2). */
  workers?: number;
  /** Runs one tenant may have waiting for a free worker before its `run` is refused (default 64). */
  maxQueue?: number;
  /**
   * Runs one tenant may have running at once (default `ceil(workers / 2)`, at most `workers`): the rest
   * of the workers stay free for other tenants.
   */
  tenantConcurrency?: number;
}

/** Host → worker: one run. */
export interface WorkerJob {
  id: number;
  source: string;
  contextJson: string;
  timeoutMs: number;
  memoryBytes: number;
  /** Nice value the worker's thread runs this job at (Linux, best effort; default 0). */
  nice?: number;
}

/** Worker → host. */
export type WorkerReply =
  | { type: "ready" }
  | { type: "result"; id: number; result: SandboxRunResult }
  | { type: "fatal"; message: string };

/** What the worker needs to start: where the QuickJS packages are, and the limits of limits.ts. */
export interface WorkerSetup {
  corePath: string;
  variantPath: string;
  memoryBytes: number;
  limits: {
    maxStackBytes: number;
    wasmBaseBytes: number;
    logLineMaxChars: number;
    logMaxLines: number;
    outputMaxBytes: number;
    errorMaxChars: number;
  };
}
