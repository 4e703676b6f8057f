/**
 * Where a problem of a project file is: a path of keys and indexes (what the checkers produce) turned
 * into `FILE:LINE:COLUMN` through the YAML source map, and the one order every report uses (the
 * project file first, then by file, line and column).
 */
import { type IssuePath, pathText } from "../../domain/validation-result.js";
import type { YamlDocument } from "../yaml-document.js";

export interface ProjectProblem {
  /** The file the problem is in: the project file, or a script file it names. */
  file: string;
  line: number;
  column: number;
  /** A problem slug where one fits (`dependency-cycle`, `unknown-dependency`, …). */
  code: string;
  /** Where in the project, as a dotted path (`actions.crm_lookup.headers.X-Api-Key`). */
  path: string;
  message: string;
}

/** A problem as a checker states it: at a path of the document, or at a known place in another file. */
export interface PathProblem {
  path: IssuePath;
  code: string;
  message: string;
  /** Point at the key of the entry rather than its value. */
  key?: boolean;
  /** A place already known (a script's syntax error, a YAML syntax error). */
  at?: { file?: string; line: number; column: number };
}

export function locateProblems(
  fileName: string,
  source: Pick<YamlDocument, "locate">,
  problems: readonly PathProblem[],
): ProjectProblem[] {
  const located = problems.map((p): ProjectProblem => {
    const position = p.at ?? source.locate(p.path, { key: p.key === true });
    return {
      file: p.at?.file ?? fileName,
      line: position.line,
      column: position.column,
      code: p.code,
      path: pathText(p.path),
      message: p.message,
    };
  });
  return sortProblems(fileName, located);
}

/** The project file first, then other files by name; within a file by line and column; stable. */
export function sortProblems<T extends { file: string; line: number; column: number }>(
  fileName: string,
  problems: readonly T[],
): T[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        Number(a.p.file !== fileName) - Number(b.p.file !== fileName) ||
        a.p.file.localeCompare(b.p.file) ||
        a.p.line - b.p.line ||
        a.p.column - b.p.column ||
        a.i - b.i,
    )
    .map(({ p }) => p);
}

/** `FILE:LINE:COLUMN: message`, the form editors and CI annotate. */
export function formatProblem(problem: {
  file: string;
  line: number;
  column: number;
  message: string;
}): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
