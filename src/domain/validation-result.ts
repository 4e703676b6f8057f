/**
 * The shape every validator returns. Validators never throw on bad input:
 * they collect every problem they find and report them all at once.
 */

/** Where a problem is, as keys and indexes: `["config", "headers", "X-A"]`, `["variables", 2, "value"]`. */
export type IssuePath = readonly (string | number)[];

export interface ValidationIssue {
  /** Where the problem is, as a dotted/indexed path: `name`, `config.headers.X-A`, `variables[2].value`. */
  path: string;
  /**
   * The same place as keys and indexes. Every domain validator sets it, so a caller that places the
   * issue elsewhere (a line of a project file) never parses `path`. Issues read from a server have none.
   */
  segments?: IssuePath;
  /** The problem slug where one fits (`script-syntax`, `variable-collision`, …). */
  code: string;
  /** What is wrong, where, and how to fix it. Never contains a secret value. */
  message: string;
  line?: number;
  column?: number;
}

export interface ValidationResult {
  ok: boolean;
  issues: ValidationIssue[];
}

export function resultOf(issues: ValidationIssue[]): ValidationResult {
  return { ok: issues.length === 0, issues };
}

/** An issue at a path: structured (the domain's way, kept as `segments`) or already written as text. */
export function issue(
  path: IssuePath | string,
  code: string,
  message: string,
  at?: { line: number; column: number },
): ValidationIssue {
  const located = typeof path === "string" ? { path } : { path: pathText(path), segments: path };
  return at ? { ...located, code, message, line: at.line, column: at.column } : { ...located, code, message };
}

/** One message for a list of issues, the same in the SDK and the emulator: the issue's own, or a count. */
export function summarizeIssues(issues: readonly ValidationIssue[], what: string): string {
  return issues.length === 1
    ? issues[0]!.message
    : `${what} has ${issues.length} problems: ${issues.map((i) => i.message).join("; ")}`;
}

/** Joins path segments the way issues name them: `a.b`, `list[3]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base === "" ? key : `${base}.${key}`;
}

/** At most this many characters of user text are quoted in a message or written into a path. */
export const MAX_SHOWN_CHARS = 64;

/** User text fit for a message: at most `max` characters, control characters escaped. */
export function shownText(text: string, max = MAX_SHOWN_CHARS): string {
  const chars = Array.from(text);
  const cut = chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
  return cut.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * `["variables", 2, "value"]` → `variables[2].value`. Keys go through `shownText`, so a hostile key
 * cannot flood or garble a message (the segments keep them whole).
 */
export function pathText(path: IssuePath): string {
  let out = "";
  for (const segment of path) out = joinPath(out, typeof segment === "number" ? segment : shownText(segment));
  return out;
}

/** An issue as it goes on the wire or into `--json` output: without the structured segments. */
export function plainIssue(found: ValidationIssue): ValidationIssue {
  const { segments: _segments, ...rest } = found;
  return rest;
}

/** UTF-8 byte length of a string. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
