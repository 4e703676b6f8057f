/**
 * The typed error hierarchy: one class per kind, each carrying the HTTP status, the
 * problem slug and the request id when the server gave them. Messages never hold secret values:
 * whoever builds an error passes redacted text.
 */
import type { ValidationIssue } from "./domain/validation-result.js";

export interface CxdaErrorDetails {
  status?: number;
  slug?: string;
  requestId?: string;
  issues?: ValidationIssue[];
  attempts?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

export class CxdaError extends Error {
  readonly status: number | undefined;
  readonly slug: string | undefined;
  readonly requestId: string | undefined;
  readonly issues: ValidationIssue[];
  /** How many HTTP attempts were made before giving up (0 when no request was sent). */
  attempts: number;

  constructor(message: string, details: CxdaErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.slug = details.slug;
    this.requestId = details.requestId;
    this.issues = details.issues ?? [];
    this.attempts = details.attempts ?? 0;
  }

  /** A plain object for `--json` output and audit lines. */
  toJSON(): Record<string, unknown> {
    return {
      error: this.name,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.slug === undefined ? {} : { slug: this.slug }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
      // Without the structured segments (domain/validation-result.ts plainIssue): the output form.
      ...(this.issues.length > 0 ? { issues: this.issues.map(({ segments: _, ...rest }) => rest) } : {}),
      ...(this.attempts > 0 ? { attempts: this.attempts } : {}),
    };
  }
}

/** Input refused, locally by a validator or by the server (400, 413, 422). */
export class ValidationError extends CxdaError {}
/** Credentials refused or token invalid (401, OAuth2 `invalid_client`/`invalid_grant`). */
export class AuthenticationError extends CxdaError {}
/** Authenticated but not allowed: missing scope, locked action (403). */
export class PermissionError extends CxdaError {}
export class NotFoundError extends CxdaError {}
/** 409: name, version or idempotency-key conflicts, `has-dependents`. */
export class ConflictError extends CxdaError {}
/** 412: the `If-Match` version no longer matches. */
export class PreconditionError extends CxdaError {}
/** 429 after every allowed retry. */
export class RateLimitError extends CxdaError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: CxdaErrorDetails = {}) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}
/** 5xx after every allowed retry. */
export class ServerError extends CxdaError {}
/** The connection failed or was reset, after every allowed retry. */
export class NetworkError extends CxdaError {}
/** A request or a whole operation ran out of time. */
export class TimeoutError extends CxdaError {}
/** The caller aborted the operation. */
export class AbortError extends CxdaError {}
/** A live state changed since the plan was computed. */
export class PlanDriftError extends CxdaError {}
/**
 * An invariant of cxda itself was broken (a bug, not bad input): for instance a computed date that
 * fails its own accuracy check, or a server response that contradicts what was sent.
 */
export class BugError extends CxdaError {}

/** Picks the error class for an HTTP status. */
export function errorClassForStatus(status: number): typeof CxdaError {
  if (status === 400 || status === 413 || status === 415 || status === 422) return ValidationError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionError;
  if (status === 404 || status === 405) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 412) return PreconditionError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  return CxdaError;
}
