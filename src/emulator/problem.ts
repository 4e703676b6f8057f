/**
 * RFC 9457 problem details, built in this one place. Handlers throw a `ProblemError`; the
 * server's error handler (and the idempotency wrapper) turn it into an `ApiResponse`.
 */
import { PROBLEMS, type ProblemBody, problemType } from "../domain/problems.js";
import { plainIssue, summarizeIssues, type ValidationIssue } from "../domain/validation-result.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** A response a handler produces: status, headers and an already-serialized or plain body. */
export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  /** A value to serialize as JSON, or JSON text already serialized. */
  body?: unknown;
  rawJson?: string;
  /** `rawJson` as UTF-8 bytes, when they were made once and kept (a GET answer per stored row). */
  bytes?: Buffer;
}

export class ProblemError extends Error {
  readonly slug: string;
  readonly status: number;
  readonly issues: ValidationIssue[];
  readonly headers: Record<string, string>;

  constructor(
    slug: string,
    detail: string,
    options: { status?: number; issues?: ValidationIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "ProblemError";
    this.slug = slug;
    this.status = options.status ?? statusOf(slug);
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }
}

function statusOf(slug: string): number {
  return (PROBLEMS as Record<string, { status: number }>)[slug]?.status ?? 400;
}

export function titleOf(slug: string, status: number): string {
  return (PROBLEMS as Record<string, { title: string }>)[slug]?.title ?? `HTTP ${status}`;
}

/** The first slug of SPEC's list that answers `status` (used by injected faults). */
export function slugForStatus(status: number): string | undefined {
  for (const [slug, p] of Object.entries(PROBLEMS)) if (p.status === status) return slug;
  return undefined;
}

export function problemBody(
  slug: string,
  status: number,
  detail: string,
  requestId: string,
  issues: ValidationIssue[] = [],
): ProblemBody {
  const body: ProblemBody = {
    type: problemType(slug),
    title: titleOf(slug, status),
    status,
    detail,
    requestId,
  };
  if (issues.length > 0) body.errors = issues.map(plainIssue);
  return body;
}

export function problemResponse(error: ProblemError, requestId: string): ApiResponse {
  return {
    status: error.status,
    headers: { ...error.headers, "content-type": PROBLEM_CONTENT_TYPE },
    body: problemBody(error.slug, error.status, error.message, requestId, error.issues),
  };
}

/**
 * Issues → one problem: the shared slug when every issue has the same specific slug
 * (`script-syntax`, `dependency-cycle`, …), else `validation-failed`; every issue in `errors`.
 */
export function problemFromIssues(issues: ValidationIssue[], what = "The request body"): ProblemError {
  const codes = new Set(issues.map((i) => i.code));
  const only = codes.size === 1 ? [...codes][0]! : undefined;
  const slug = only !== undefined && only in PROBLEMS && statusOf(only) === 400 ? only : "validation-failed";
  return new ProblemError(slug, summarizeIssues(issues, what), { status: 400, issues });
}
