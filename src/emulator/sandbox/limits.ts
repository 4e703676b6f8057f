/**
 * The limits of a sandboxed test run (`POST /dataactions/{id}/test`). Defaults match the emulator
 * configuration's `sandbox: {timeoutMs: 1000, memoryMb: 32}` (docs/script-runtime.md, Limits); the rest bound what one run can hand back to the host.
 */
export const MIB = 1024 * 1024;

/** CPU deadline of one run, enforced inside QuickJS by its interrupt handler. */
export const DEFAULT_TIMEOUT_MS = 1000;
/** Heap a script may use; both QuickJS's allocator limit and the WebAssembly memory maximum. */
export const DEFAULT_MEMORY_BYTES = 32 * MIB;
/** Accepted range of `timeoutMs` and `memoryBytes` per run. */
export const MIN_TIMEOUT_MS = 10;
export const MAX_TIMEOUT_MS = 60_000;
export const MIN_MEMORY_BYTES = 1 * MIB;
export const MAX_MEMORY_BYTES = 1024 * MIB;

/** JS stack of QuickJS: deep recursion fails with "stack overflow" well before the wasm stack does. */
export const MAX_STACK_BYTES = 256 * 1024;
/**
 * The fixed part of the WebAssembly memory (the 16 MiB the QuickJS build starts with: data, C stack,
 * first heap pages). The memory may grow by `memoryBytes` on top of it and no further.
 */
export const WASM_BASE_BYTES = 16 * MIB;

/** One log line keeps at most this many characters; longer lines are cut and say so. */
export const LOG_LINE_MAX_CHARS = 4096;
/** A run keeps its first this-many log lines, then one line that says how many were dropped. */
export const LOG_MAX_LINES = 1000;
/** The JSON text of `main`'s result may be at most this many UTF-8 bytes. */
export const OUTPUT_MAX_BYTES = 1 * MIB;
/** A thrown error's text is cut to this many characters. */
export const ERROR_MAX_CHARS = 4096;

/** Workers in the pool, and runs one tenant may have waiting for one before its `run` is refused. */
export const DEFAULT_WORKERS = 2;
export const DEFAULT_MAX_QUEUE = 64;
/**
 * Host backstop: a run still going this long after its deadline (a native call that never reaches
 * QuickJS's interrupt check) gets its worker terminated and answers TIMEOUT.
 */
export function backstopMarginMs(timeoutMs: number): number {
  return Math.max(500, Math.round(timeoutMs / 2));
}
