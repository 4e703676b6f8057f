/**
 * Optimistic concurrency for any versioned resource: `ETag: "<version>"`,
 * `If-Match` mismatch → 412 `precondition-failed`, body `version` mismatch → 409 `version-conflict`,
 * neither → unconditional.
 */
import type { FastifyRequest } from "fastify";
import { ProblemError } from "./problem.js";

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Parsed `If-Match`: the strong versions it names and the weak tags it carries (which never match). */
export interface IfMatch {
  versions: number[];
  weak: string[];
}

/** `If-Match` (RFC 9110 §13.1.1) as version numbers; `"*"` → "any"; undefined when absent. */
export function parseIfMatch(header: string | string[] | undefined): IfMatch | "any" | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(",") : header;
  if (text.trim() === "*") return "any";
  const parsed: IfMatch = { versions: [], weak: [] };
  for (const part of text.split(",")) {
    const match = /^\s*(W\/)?"(\d{1,15})"\s*$/.exec(part);
    if (!match)
      throw new ProblemError(
        "validation-failed",
        `If-Match must be "*" or quoted versions such as "3" (RFC 9110 §13.1.1), got ${JSON.stringify(text.slice(0, 40))}.`,
        { issues: [{ path: "If-Match", code: "validation-failed", message: 'If-Match must look like "3"' }] },
      );
    // If-Match uses the strong comparison: a weak tag is well-formed but never matches.
    if (match[1]) parsed.weak.push(`W/"${match[2]}"`);
    else parsed.versions.push(Number(match[2]));
  }
  return parsed;
}

/**
 * What a write expects of the resource it changes: the raw `If-Match` header of a request (a changeset
 * operation has none; its `version` field is the body version). Handlers take this, not the request,
 * so one code path serves single writes and changeset operations.
 */
export interface Precondition {
  ifMatch?: string | string[] | undefined;
}

/** No `If-Match`: only a body `version` (if any) is checked. */
export const NO_PRECONDITION: Precondition = {};

export function preconditionOf(request: FastifyRequest): Precondition {
  return { ifMatch: request.headers["if-match"] };
}

/** Throws 412/409 when the `If-Match` or body `version` does not match `current`. */
export function checkVersion(
  precondition: Precondition,
  bodyVersion: unknown,
  current: number,
  what: string,
): void {
  const ifMatch = parseIfMatch(precondition.ifMatch);
  if (ifMatch !== undefined && ifMatch !== "any" && !ifMatch.versions.includes(current)) {
    const asked =
      ifMatch.versions.length > 0
        ? `If-Match asks for version ${ifMatch.versions.join(" or ")} of ${what}, but it is at version ${current}; read it again and retry.`
        : `If-Match carries only weak tags (${ifMatch.weak.join(", ").slice(0, 80)}), which never match (RFC 9110 §13.1.1 strong comparison); send the ETag as given, ${etagOf(current)} for the current version of ${what}.`;
    throw new ProblemError("precondition-failed", asked, { headers: { etag: etagOf(current) } });
  }
  if (bodyVersion === undefined) return;
  if (typeof bodyVersion !== "number" || !Number.isSafeInteger(bodyVersion) || bodyVersion < 1)
    throw new ProblemError(
      "validation-failed",
      "version must be a whole number ≥ 1 (the version you read).",
      {
        issues: [
          { path: "version", code: "validation-failed", message: "version must be a whole number ≥ 1" },
        ],
      },
    );
  if (bodyVersion !== current)
    throw new ProblemError(
      "version-conflict",
      `The body says version ${bodyVersion} of ${what}, but it is at version ${current}; read it again and retry.`,
      { headers: { etag: etagOf(current) } },
    );
}
