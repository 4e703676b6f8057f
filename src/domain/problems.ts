/**
 * The problem slugs: one place that says which slug answers which status,
 * shared by the emulator (to build RFC 9457 bodies) and the SDK (to pick error classes).
 */
export const PROBLEMS = {
  "malformed-json": { status: 400, title: "Malformed JSON" },
  "validation-failed": { status: 400, title: "Validation failed" },
  "script-syntax": { status: 400, title: "Script syntax error" },
  "unknown-dependency": { status: 400, title: "Unknown dependency" },
  "dependency-cycle": { status: 400, title: "Dependency cycle" },
  "variable-collision": { status: 400, title: "Variable collision" },
  "scope-violation": { status: 400, title: "Scope violation" },
  "invalid-fault": { status: 400, title: "Invalid fault rule" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  "insufficient-scope": { status: 403, title: "Insufficient scope" },
  "action-locked": { status: 403, title: "Action locked" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "not-acceptable": { status: 406, title: "Not acceptable" },
  "name-conflict": { status: 409, title: "Name conflict" },
  "version-conflict": { status: 409, title: "Version conflict" },
  "has-dependents": { status: 409, title: "Action has dependents" },
  "idempotency-key-in-use": { status: 409, title: "Idempotency key in use" },
  "precondition-failed": { status: 412, title: "Precondition failed" },
  "payload-too-large": { status: 413, title: "Payload too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "idempotency-key-reuse": { status: 422, title: "Idempotency key reused with another body" },
  "rate-limited": { status: 429, title: "Rate limited" },
  "internal-error": { status: 500, title: "Internal error" },
  "service-unavailable": { status: 503, title: "Service unavailable" },
  "bad-gateway": { status: 502, title: "Bad gateway" },
  "gateway-timeout": { status: 504, title: "Gateway timeout" },
  "secret-unreadable": { status: 500, title: "Stored secret unreadable" },
  "malformed-request": { status: 400, title: "Malformed HTTP request" },
  "header-too-large": { status: 431, title: "Request header fields too large" },
  "changeset-too-large": { status: 413, title: "Changeset too large" },
  "changeset-expired": { status: 410, title: "Changeset expired" },
  "changeset-committed": { status: 409, title: "Changeset already committed" },
  "batch-sequence-reuse": { status: 422, title: "Batch sequence reused with other operations" },
  "rollback-conflict": { status: 409, title: "Rollback conflict" },
  "revision-expired": { status: 410, title: "Revision expired" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEMS;

export const PROBLEM_TYPE_PREFIX = "urn:cxda:problem:";

export function problemType(slug: string): string {
  return `${PROBLEM_TYPE_PREFIX}${slug}`;
}

/** `urn:cxda:problem:version-conflict` → `version-conflict`; anything else → undefined. */
export function slugOf(type: unknown): string | undefined {
  return typeof type === "string" && type.startsWith(PROBLEM_TYPE_PREFIX)
    ? type.slice(PROBLEM_TYPE_PREFIX.length)
    : undefined;
}

/** An RFC 9457 problem body as the emulator sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: { path: string; code: string; message: string; line?: number; column?: number }[];
}
