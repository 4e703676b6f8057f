import { createRequire } from "node:module";
import {
  backstopMarginMs,
  DEFAULT_MAX_QUEUE,
  DEFAULT_MEMORY_BYTES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WORKERS,
  ERROR_MAX_CHARS,
  LOG_LINE_MAX_CHARS,
  LOG_MAX_LINES,
  MAX_MEMORY_BYTES,
  MAX_STACK_BYTES,
  MAX_TIMEOUT_MS,
  MIN_MEMORY_BYTES,
  MIN_TIMEOUT_MS,
  OUTPUT_MAX_BYTES,
  WASM_BASE_BYTES,
} from "./limits.js";
import type { Sandbox, SandboxOptions, SandboxRunInput, SandboxRunResult, WorkerSetup } from "./types.js";
import { WorkerPool } from "./worker-pool.js";
import { WORKER_SOURCE } from "./worker-source.js";

/**
 * Runs action scripts in QuickJS/WebAssembly on a pool of worker threads: the
 * caller's event loop never runs guest code, a run that ignores its deadline has its worker terminated,
 * each tenant has its own concurrency quota and queue, served in turn, and a tenant's full queue is
 * refused at once with `SandboxUnavailableError`.
 *
 * `run` rejects with `RangeError` for a caller bug (bad `timeoutMs`/`memoryBytes`, `source` not a string)
 * and with `SandboxUnavailableError` when no run can be taken; every script outcome is a result.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const workers = options.workers ?? DEFAULT_WORKERS;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new RangeError(`sandbox workers must be an integer from 1 to 64, got ${String(workers)}`);
  }
  if (!Number.isInteger(maxQueue) || maxQueue < 0) {
    throw new RangeError(`sandbox maxQueue must be an integer ≥ 0, got ${String(maxQueue)}`);
  }
  const tenantConcurrency = options.tenantConcurrency ?? Math.ceil(workers / 2);
  if (!Number.isInteger(tenantConcurrency) || tenantConcurrency < 1 || tenantConcurrency > workers) {
    throw new RangeError(
      `sandbox tenantConcurrency must be an integer from 1 to workers (${workers}), got ${String(tenantConcurrency)}`,
    );
  }
  const pool = new WorkerPool({
    size: workers,
    maxQueue,
    tenantConcurrency,
    source: WORKER_SOURCE,
    workerData: workerSetup(),
    marginMs: backstopMarginMs,
  });

  return {
    async run(input: SandboxRunInput): Promise<SandboxRunResult> {
      const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const memoryBytes = input.memoryBytes ?? DEFAULT_MEMORY_BYTES;
      checkRunInput(input.source, timeoutMs, memoryBytes);
      const contextJson = serialiseContext(input.context, memoryBytes);
      if (typeof contextJson !== "string") return contextJson;
      const outcome = await pool.submit(
        { source: input.source, contextJson, timeoutMs, memoryBytes },
        input.tenant ?? "",
      );
      switch (outcome.kind) {
        case "result":
          return outcome.result;
        case "backstop":
          return {
            status: "TIMEOUT",
            output: null,
            error: `the script ran past its ${timeoutMs} ms deadline inside a long native call and was stopped after ${outcome.elapsedMs} ms; make it finish sooner`,
            logs: [],
            durationMs: outcome.elapsedMs,
          };
        case "crashed":
          return {
            status: "FAILURE",
            output: null,
            error: `the sandbox worker stopped while running the script (${outcome.message}); the run was abandoned`,
            logs: [],
            durationMs: 0,
          };
      }
    },
    close: () => pool.close(),
  };
}

function workerSetup(): WorkerSetup {
  // Absolute paths: an eval'd worker resolves bare specifiers from the cwd, not from this package.
  const require = createRequire(import.meta.url);
  return {
    corePath: require.resolve("quickjs-emscripten-core"),
    variantPath: require.resolve("@jitl/quickjs-wasmfile-release-sync"),
    memoryBytes: DEFAULT_MEMORY_BYTES,
    limits: {
      maxStackBytes: MAX_STACK_BYTES,
      wasmBaseBytes: WASM_BASE_BYTES,
      logLineMaxChars: LOG_LINE_MAX_CHARS,
      logMaxLines: LOG_MAX_LINES,
      outputMaxBytes: OUTPUT_MAX_BYTES,
      errorMaxChars: ERROR_MAX_CHARS,
    },
  };
}

function checkRunInput(source: unknown, timeoutMs: number, memoryBytes: number): void {
  if (typeof source !== "string") throw new RangeError("sandbox source must be a string holding the script");
  if (!Number.isInteger(timeoutMs) || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `sandbox timeoutMs must be an integer from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`,
    );
  }
  if (!Number.isInteger(memoryBytes) || memoryBytes < MIN_MEMORY_BYTES || memoryBytes > MAX_MEMORY_BYTES) {
    throw new RangeError(
      `sandbox memoryBytes must be an integer from ${MIN_MEMORY_BYTES} to ${MAX_MEMORY_BYTES}, got ${String(memoryBytes)}`,
    );
  }
}

/** The context as JSON text, or the FAILURE that says why it cannot be passed in. */
function serialiseContext(
  context: SandboxRunInput["context"],
  memoryBytes: number,
): string | SandboxRunResult {
  const failure = (error: string): SandboxRunResult => ({
    status: "FAILURE",
    output: null,
    error,
    logs: [],
    durationMs: 0,
  });
  let json: string | undefined;
  try {
    json = JSON.stringify(context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure(
      `the context (input, variables, environment) is not JSON-serialisable: ${reason}; pass plain JSON data`,
    );
  }
  if (json === undefined) return failure("the context must be an object {input, variables, environment}");
  if (json.length > memoryBytes / 2) {
    return failure(
      `the context is ${json.length} characters of JSON, too large for the ${memoryBytes} byte memory limit; pass less data`,
    );
  }
  return json;
}
