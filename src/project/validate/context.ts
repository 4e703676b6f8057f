/**
 * What the section checkers share: the loaded document, the problems found so far, and the paths
 * already reported as unusable (a problem there would only repeat itself). Domain issues are placed
 * by their structured path under a base path; their message is kept as the domain wrote it.
 */
import type { IssuePath, ValidationIssue } from "../../domain/validation-result.js";
import type { ResolvedText } from "../placeholders.js";
import { type LoadedProject, pathKey } from "./loader.js";
import type { PathProblem } from "./locator.js";

export const FAILED = "validation-failed";

export interface CheckOptions {
  allowLiteralSecrets?: boolean;
}

export type Json = Record<string, unknown>;

export class CheckContext {
  readonly problems: PathProblem[];
  private readonly unusable: IssuePath[];

  constructor(
    readonly loaded: LoadedProject,
    readonly options: CheckOptions,
  ) {
    this.problems = [...loaded.problems];
    this.unusable = [...loaded.unusable];
  }

  get fileName(): string {
    return this.loaded.fileName;
  }

  report(path: IssuePath, code: string, message: string, options: { key?: boolean } = {}): void {
    this.problems.push({ path, code, message, ...(options.key ? { key: true } : {}) });
  }

  /** Marks a path as reported: later problems under it are dropped. */
  unusableAt(path: IssuePath): void {
    this.unusable.push(path);
  }

  isUnusable(path: IssuePath): boolean {
    return this.unusable.some((bad) => isUnder(path, bad));
  }

  /** The resolved text at a path (placeholders substituted), when the value there is a string. */
  text(path: IssuePath): ResolvedText | undefined {
    return this.loaded.texts.get(pathKey(path));
  }

  /** The usable resolved value at a path: undefined when it is not a string or could not be resolved. */
  value(path: IssuePath): string | undefined {
    const resolved = this.text(path);
    return resolved && !resolved.unresolved && !this.isUnusable(path) ? resolved.value : undefined;
  }

  /**
   * Reports a domain validator's issues, each at `base` + its segments (or where `place` puts it),
   * prefixed with `label`. Issues under an unusable path are dropped.
   */
  domain(
    issues: readonly ValidationIssue[],
    base: IssuePath,
    label: string,
    place: (found: ValidationIssue) => Omit<PathProblem, "code" | "message"> = (found) => ({
      path: [...base, ...(found.segments ?? [])],
    }),
  ): void {
    for (const found of issues) {
      const placed = place(found);
      if (this.isUnusable(placed.path)) continue;
      this.problems.push({ ...placed, code: found.code, message: `${label}: ${found.message}` });
    }
  }
}

export function isUnder(path: IssuePath, prefix: IssuePath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function typeName(value: unknown): string {
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
