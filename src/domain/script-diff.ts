/**
 * The unified line diff of two versions of a script (jsdiff's structuredPatch and formatPatch, not a
 * hand-written LCS): what `cxda plan` shows for a changed script and `cxda actions update` reports.
 */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from "diff";

export interface ScriptDiff {
  /** `--- before\n+++ after\n@@ -1,3 +1,4 @@\n …`, ending in a newline; "" when the scripts are equal. */
  unifiedDiff: string;
  /** Lines only in `after`. */
  added: number;
  /** Lines only in `before`. */
  removed: number;
}

/** Lines of context around each change, as `diff -u` and `git diff` show by default. */
const CONTEXT_LINES = 3;

export function scriptDiff(
  before: string,
  after: string,
  names: { before: string; after: string } = { before: "before", after: "after" },
): ScriptDiff {
  if (before === after) return { unifiedDiff: "", added: 0, removed: 0 };
  const patch = structuredPatch(names.before, names.after, before, after, undefined, undefined, {
    context: CONTEXT_LINES,
  });
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks)
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added++;
      else if (line.startsWith("-")) removed++;
    }
  return { unifiedDiff: formatPatch(patch, FILE_HEADERS_ONLY), added, removed };
}
