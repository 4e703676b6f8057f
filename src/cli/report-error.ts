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
    const body = known
      ? error.toJSON()
      : { error: "InternalError", message: error instanceof Error ? error.message : String(error) };
    out.result({ ok: false, exitCode: code, ...body });
    return code;
  }
  if (!known) {
    out.error(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    out.info("this is a bug in cxda; run again with --verbose and report it");
    if (out.verbose && error instanceof Error && error.stack) out.trace(error.stack);
    return code;
  }
  out.error(refusedOnLoopback(error) ?? refusedCredentials(ctx, error) ?? describe(error));
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
  return describe(error, `${headline.replace(/\.$/, "")}. ${sources}`);
}
