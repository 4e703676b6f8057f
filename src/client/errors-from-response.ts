/**
 * Turns a final non-2xx answer into the typed error (src/errors.ts), in one place: class from the
 * status, slug from the RFC 9457 `type`, issues from `errors`, message from `detail`, all redacted.
 */
import type { Redactor } from "../audit/redactor.js";
import { slugOf } from "../domain/problems.js";
import type { ValidationIssue } from "../domain/validation-result.js";
import { AuthenticationError, type CxdaError, errorClassForStatus } from "../errors.js";
import type { RawResponse } from "./transport.js";

export interface ErrorContext {
  method: string;
  path: string;
  attempts: number;
  retryAfterMs?: number;
  redactor: Redactor;
}

export function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function errorFromResponse(res: RawResponse, ctx: ErrorContext): CxdaError {
  const body = asRecord(parseJson(res.text));
  const requestId = str(body?.requestId) ?? res.headers["x-request-id"];
  const slug = slugOf(body?.type);
  // RFC 9457 problems, or an RFC 6749 error body (a 429 or 5xx from the token endpoint).
  const detail = str(body?.detail) ?? str(body?.title) ?? str(body?.error_description);
  const fallback = `${ctx.method} ${ctx.path} failed with HTTP ${res.status}`;
  const message = ctx.redactor.redactString(detail ?? fallback);
  const ErrorClass = errorClassForStatus(res.status);
  return new ErrorClass(message, {
    status: res.status,
    ...(slug === undefined ? {} : { slug }),
    ...(requestId === undefined ? {} : { requestId }),
    issues: ctx.redactor.redact(issuesOf(body?.errors)),
    attempts: ctx.attempts,
    ...(ctx.retryAfterMs === undefined ? {} : { retryAfterMs: ctx.retryAfterMs }),
  });
}

/** RFC 6749 §5.2 token errors: the error code and description, never the credentials sent. */
export function errorFromTokenResponse(res: RawResponse, ctx: ErrorContext): CxdaError {
  const body = asRecord(parseJson(res.text));
  const code = str(body?.error);
  if (res.status === 429 || res.status >= 500) return errorFromResponse(res, ctx);
  if (code === undefined)
    return new AuthenticationError(`token request failed with HTTP ${res.status}; check the token URL`, {
      status: res.status,
      attempts: ctx.attempts,
    });
  const description = str(body?.error_description);
  const hint = TOKEN_ERROR_HINTS[code] ?? "check the client id, secret and token URL";
  const message = ctx.redactor.redactString(
    `token request refused (${code})${description ? `: ${description}` : ""}; ${hint}`,
  );
  return new AuthenticationError(message, { status: res.status, slug: code, attempts: ctx.attempts });
}

const TOKEN_ERROR_HINTS: Record<string, string> = {
  invalid_client: "check the client id and client secret (CXDA_CLIENT_ID, CXDA_CLIENT_SECRET)",
  invalid_grant: "check the access key id and secret (CXDA_ACCESS_KEY_ID, CXDA_ACCESS_KEY_SECRET)",
  invalid_scope: "ask only for scopes granted to this client",
  unauthorized_client: "this client may not use this grant type",
  unsupported_grant_type: "the server does not support this grant type",
  invalid_request: "the token request was malformed; check the token URL and auth method",
};

function issuesOf(value: unknown): ValidationIssue[] {
  if (!Array.isArray(value)) return [];
  const out: ValidationIssue[] = [];
  for (const item of value) {
    const rec = asRecord(item);
    if (!rec) continue;
    const entry: ValidationIssue = {
      path: str(rec.path) ?? "",
      code: str(rec.code) ?? "validation-failed",
      message: str(rec.message) ?? "",
    };
    if (typeof rec.line === "number") entry.line = rec.line;
    if (typeof rec.column === "number") entry.column = rec.column;
    out.push(entry);
  }
  return out;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
