export { createSandbox } from "./create-sandbox.js";
export {
  DEFAULT_MEMORY_BYTES,
  DEFAULT_TIMEOUT_MS,
  LOG_LINE_MAX_CHARS,
  LOG_MAX_LINES,
  OUTPUT_MAX_BYTES,
} from "./limits.js";
export { SandboxUnavailableError } from "./sandbox-unavailable-error.js";
export type {
  Sandbox,
  SandboxContext,
  SandboxOptions,
  SandboxRunInput,
  SandboxRunResult,
  SandboxRunStatus,
} from "./types.js";
