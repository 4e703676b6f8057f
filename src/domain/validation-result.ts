/**
 * The shape every validator returns (SPEC §11). Validators never throw on bad input:
 * they collect every problem they find and report them all at once.
 */
export interface ValidationIssue {
  /** Where the problem is, as a dotted/indexed path: `name`, `config.headers.X-A`, `variables[2].value`. */
  path: string;
  /** The problem slug of SPEC §3–§6 where one fits (`script-syntax`, `variable-collision`, …). */
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

export function issue(
  path: string,
  code: string,
  message: string,
  at?: { line: number; column: number },
): ValidationIssue {
  return at ? { path, code, message, line: at.line, column: at.column } : { path, code, message };
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

/** UTF-8 byte length of a string. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
