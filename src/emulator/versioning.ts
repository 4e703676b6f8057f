/**
 * Optimistic concurrency for any versioned resource (SPEC §3 Versions): `ETag: "<version>"`,
 * `If-Match` mismatch → 412 `precondition-failed`, body `version` mismatch → 409 `version-conflict`,
 * neither → unconditional.
 */
import type { FastifyRequest } from "fastify";
import { ProblemError } from "./problem.js";

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** `If-Match` (RFC 9110 §13.1.1) as version numbers; `"*"` → "any"; undefined when absent. */
export function parseIfMatch(header: string | string[] | undefined): number[] | "any" | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(",") : header;
  if (text.trim() === "*") return "any";
  const versions: number[] = [];
  for (const part of text.split(",")) {
    const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(part);
    if (!match)
      throw new ProblemError(
        "validation-failed",
        `If-Match must be "*" or quoted versions such as "3" (RFC 9110 §13.1.1), got ${JSON.stringify(text.slice(0, 40))}.`,
        { issues: [{ path: "If-Match", code: "validation-failed", message: 'If-Match must look like "3"' }] },
      );
    versions.push(Number(match[1]));
  }
  return versions;
}

/** Throws 412/409 when the request's `If-Match` or body `version` does not match `current`. */
export function checkVersion(
  request: FastifyRequest,
  bodyVersion: unknown,
  current: number,
  what: string,
): void {
  const ifMatch = parseIfMatch(request.headers["if-match"]);
  if (ifMatch !== undefined && ifMatch !== "any" && !ifMatch.includes(current))
    throw new ProblemError(
      "precondition-failed",
      `If-Match asks for version ${ifMatch.join(" or ")} of ${what}, but it is at version ${current}; read it again and retry.`,
      { headers: { etag: etagOf(current) } },
    );
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
