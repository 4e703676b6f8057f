/** Exit codes (docs/cli.md), decided in this one place. */
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

export const EXIT = {
  ok: 0,
  failed: 1,
  changes: 2,
  usage: 64,
  invalidInput: 65,
  unavailable: 69,
  authRefused: 77,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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
