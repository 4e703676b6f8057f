/**
 * The exit codes, each with the meaning `cxda --help` and docs/cli.md show. Data only (no imports), so
 * the top-level help can list them without loading the error classes.
 */
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

export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: "success (also --help, help, --version)",
  1: "the operation failed (a test run, a build or an apply step failed)",
  2: "plan or drift with --detailed-exitcode found changes",
  64: "usage error: unknown command or flag, missing argument, no terminal to confirm on",
  65: "invalid input: a file, flag value or payload breaks a rule (nothing was written)",
  69: "the service was unavailable after retries (network, timeout, 5xx, rate limit)",
  77: "authentication or permission refused",
};
