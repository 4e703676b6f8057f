/** The `headers:` of an action: each value resolved, then every rule of the header matrix at once. */
import { validateHeaders } from "../../domain/headers.js";
import type { IssuePath } from "../../domain/validation-result.js";
import { type CheckContext, isRecord } from "./context.js";

export function checkHeaders(
  ctx: CheckContext,
  at: IssuePath,
  raw: unknown,
  label: string,
): Record<string, string> {
  const matrix: Record<string, string> = {};
  if (!isRecord(raw)) return matrix;
  for (const name of Object.keys(raw)) {
    const resolved = ctx.text([...at, "headers", name]);
    if (resolved) matrix[name] = resolved.value;
  }
  // Header rules are mostly about the name, so an issue at a header points at its key.
  ctx.domain(validateHeaders(matrix, ["headers"]).issues, at, label, (found) => ({
    path: [...at, ...(found.segments ?? [])],
    key: (found.segments ?? []).length > 1,
  }));
  return matrix;
}
