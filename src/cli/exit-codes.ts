/** Exit codes (docs/cli.md, listed in exit-code-table.ts), decided in this one place. */
import {
  AbortError,
  AuthenticationError,
  CxdaError,
  NetworkError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../errors.js";

import { EXIT, type ExitCode } from "./exit-code-table.js";

export { EXIT, type ExitCode };

/** A CLI misuse found after commander parsed the line (bad flag value, missing argument). */
export class UsageError extends CxdaError {}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof ValidationError) return EXIT.invalidInput;
  if (error instanceof AuthenticationError || error instanceof PermissionError) return EXIT.authRefused;
  if (
    error instanceof ServerError ||
    error instanceof NetworkError ||
    error instanceof TimeoutError ||
    error instanceof RateLimitError
  ) {
    return EXIT.unavailable;
  }
  if (error instanceof AbortError) return EXIT.failed;
  return EXIT.failed;
}
