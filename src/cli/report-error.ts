/** Turns any thrown value into one clear report (never a stack trace) and its exit code (docs/cli.md). */
import { AuthenticationError, CxdaError, NetworkError } from "../errors.js";
import type { CommandContext } from "./context.js";
import { EXIT, exitCodeFor, UsageError } from "./exit-codes.js";
import { credentialRefusal } from "./settings.js";

export function reportError(ctx: CommandContext, error: unknown): number {
  const { out } = ctx;
  const known = error instanceof CxdaError;
  const code = known ? exitCodeFor(error) : EXIT.failed;
  if (out.json) {
    out.result({ error: errorBody(ctx, error, code) });
    return code;
  }
  if (!known) {
    out.error(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    out.info("this is a bug in cxda; run again with --verbose and report it");
    if (out.verbose && error instanceof Error && error.stack) out.trace(error.stack);
    return code;
  }
  out.error(refusedOnLoopback(error) ?? describe(error, refusedCredentials(ctx, error) ?? error.message));
  // Each thing is said once: an issue the headline already says is not repeated under it.
  const issues = error.issues
    .filter((issue) => issue.message === "" || !error.message.includes(issue.message))
    .map(issueLine);
  for (const line of issues.slice(0, 50)) out.info(line);
  if (issues.length > 50) out.info(`  … and ${issues.length - 50} more`);
  if (error instanceof UsageError) out.info("(run with --help for usage and examples)");
  return code;
}

/**
 * The one machine form of a failure, the same for every command (docs/cli.md, JSON output):
 * `{schemaVersion, error: {code, message, exitCode, issues?, status?, requestId?}}`. `code` is the
 * API's problem slug or OAuth error when there is one, else the kind of failure (`usage`, …).
 */
export interface ErrorBody {
  code: string;
  message: string;
  exitCode: number;
  issues?: Record<string, unknown>[];
  status?: number;
  requestId?: string;
}

export function errorBody(ctx: CommandContext, error: unknown, exitCode: number): ErrorBody {
  if (!(error instanceof CxdaError))
    return {
      code: "internal-error",
      message: `internal error (a bug in cxda; run again with --verbose and report it): ${error instanceof Error ? error.message : String(error)}`,
      exitCode,
    };
  const issues = (error.toJSON().issues ?? []) as Record<string, unknown>[];
  return {
    code: error.slug ?? KIND_CODES[error.name] ?? kebab(error.name.replace(/Error$/, "")),
    message: refusedOnLoopback(error) ?? refusedCredentials(ctx, error) ?? error.message,
    exitCode,
    ...(issues.length > 0 ? { issues } : {}),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  };
}

/** The code of an error without a problem slug, by its class (errors.ts). */
const KIND_CODES: Record<string, string> = {
  UsageError: "usage",
  ValidationError: "validation-failed",
  AuthenticationError: "authentication-failed",
  PermissionError: "permission-denied",
  NotFoundError: "not-found",
  ConflictError: "conflict",
  PreconditionError: "precondition-failed",
  RateLimitError: "rate-limited",
  ServerError: "server-error",
  NetworkError: "network-error",
  TimeoutError: "timeout",
  AbortError: "aborted",
  PlanDriftError: "plan-drift",
  BugError: "internal-error",
};

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase() || "error";
}

/**
 * Located issues read FILE:LINE:COLUMN: message at the start of a line, as cxda validate prints them;
 * others `  path: message`, without the path when the message already starts with it.
 */
function issueLine(issue: CxdaError["issues"][number]): string {
  if (issue.line !== undefined) return `${issue.path}:${issue.line}:${issue.column ?? 1}: ${issue.message}`;
  const named = !issue.path || issue.message.startsWith(`${issue.path}:`);
  return `  ${named ? "" : `${issue.path}: `}${issue.message}`;
}

function describe(error: CxdaError, message = error.message): string {
  const parts = [message];
  const meta: string[] = [];
  if (error.status !== undefined) meta.push(`HTTP ${error.status}`);
  if (error.slug !== undefined) meta.push(error.slug);
  if (error.requestId !== undefined) meta.push(`request ${error.requestId}`);
  if (error.attempts > 1) meta.push(`${error.attempts} attempts`);
  if (meta.length > 0) parts.push(`(${meta.join(", ")})`);
  return parts.join(" ");
}

/** A refused connection to a loopback address: nothing listens there, and waiting will not change that. */
function refusedOnLoopback(error: CxdaError): string | undefined {
  if (!(error instanceof NetworkError)) return undefined;
  const at = /ECONNREFUSED (127\.[\d.]+|::1|\[::1\]):(\d+)/.exec(error.message);
  if (!at) return undefined;
  return `nothing listens at ${at[1]}:${at[2]} (connection refused); start one with \`cxda emulator start\`, or point --base-url (CXDA_BASE_URL) at a running server`;
}

/** A token request refused for its credentials: say where the id and secret came from (never the secret). */
function refusedCredentials(ctx: CommandContext, error: CxdaError): string | undefined {
  if (!(error instanceof AuthenticationError)) return undefined;
  let sources: string | undefined;
  try {
    sources = credentialRefusal(ctx.settings(), error.slug);
  } catch {
    return undefined;
  }
  if (sources === undefined) return undefined;
  // The SDK's generic hint names only the variables; the CLI knows which input was used.
  const headline = error.message.replace(
    /; check the (client id and client secret|access key id and secret) \([^)]*\)$/,
    "",
  );
  return `${headline.replace(/\.$/, "")}. ${sources}`;
}
