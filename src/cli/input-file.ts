/**
 * Reads a YAML or JSON input file given to a command (`-f FILE`). Syntax errors come back as
 * a ValidationError (exit 65) whose issues carry the file's line and column; `locate` maps a data path
 * to the line and column of its node so later validation issues can point into the file too.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { type IssuePath, issue, type ValidationIssue } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";
import { sortProblems } from "../project/validate/locator.js";

export interface InputFile {
  /** The parsed content (plain objects, arrays and scalars). */
  data: unknown;
  /** Absolute path of the file. */
  path: string;
  /** Directory of the file: where relative `${file:…}` placeholders start. */
  baseDir: string;
  /** Line and column (1-based) of the node at a path of keys and indexes, when it exists. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
  /** Line and column of the KEY of the map entry at a path (where a misnamed entry starts). */
  locateKey(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

/** Input files larger than this are refused before parsing. */
const MAX_INPUT_BYTES = 10 * 1024 * 1024;

/** How issues name standard input, read when the file is given as `-` (`-f -`, `--input @-`). */
export const STDIN_NAME = "<stdin>";

export function readInputFile(file: string, options: { cwd?: string } = {}): InputFile {
  const cwd = options.cwd ?? process.cwd();
  if (file === "-") return parseInputText(readStdin(), STDIN_NAME, resolve(cwd, STDIN_NAME));
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code;
    throw new ValidationError(`cannot read ${file}: ${why}`, {
      issues: [issue(file, "validation-failed", `cannot read ${file}: ${why}; check the path`)],
    });
  }
  if (Buffer.byteLength(text, "utf8") > MAX_INPUT_BYTES) {
    const message = `${file} is larger than ${MAX_INPUT_BYTES} bytes; input files are small YAML or JSON documents`;
    throw new ValidationError(message, { issues: [issue(file, "validation-failed", message)] });
  }
  return parseInputText(text, file, path);
}

function readStdin(): string {
  let text: string;
  try {
    text = readFileSync(0, "utf8");
  } catch (error) {
    const message = `cannot read standard input (${(error as NodeJS.ErrnoException).code ?? "unreadable"}); pipe the document in, e.g. \`cat vars.yaml | cxda … -f -\``;
    throw new ValidationError(message, { issues: [issue(STDIN_NAME, "validation-failed", message)] });
  }
  if (Buffer.byteLength(text, "utf8") > MAX_INPUT_BYTES) {
    const message = `standard input is larger than ${MAX_INPUT_BYTES} bytes; input files are small YAML or JSON documents`;
    throw new ValidationError(message, { issues: [issue(STDIN_NAME, "validation-failed", message)] });
  }
  return text;
}

/** Parses YAML (JSON is YAML too) with positions; exported for tests and for stdin-like sources. */
export function parseInputText(text: string, shownName: string, absolutePath = shownName): InputFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: ValidationIssue[] = doc.errors.map((e) => {
      const at = lineCounter.linePos(e.pos[0]);
      return issue(shownName, "validation-failed", `${firstLine(e.message)} (${e.code})`, {
        line: at.line,
        column: at.col,
      });
    });
    const first = issues[0]!;
    throw new ValidationError(
      `${shownName}:${first.line}:${first.column}: not valid YAML or JSON: ${first.message}`,
      { issues },
    );
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  return {
    data,
    path: absolutePath,
    baseDir: dirname(absolutePath),
    locate(keys) {
      const node = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
      if (!isNode(node) || !node.range) return undefined;
      const at = lineCounter.linePos(node.range[0]);
      return { line: at.line, column: at.col };
    },
    locateKey(keys) {
      if (keys.length === 0) return undefined;
      const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
      if (!isMap(parent)) return undefined;
      const last = keys[keys.length - 1];
      const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
      if (!pair || !isNode(pair.key) || !pair.key.range) return undefined;
      const at = lineCounter.linePos(pair.key.range[0]);
      return { line: at.line, column: at.col };
    },
  };
}

/** Where an issue sits in the file: its keys, and whether to point at the entry's key. */
export type IssueKeys = (found: ValidationIssue) => { keys: IssuePath; key?: boolean } | undefined;

/**
 * The one location format of every command that reads `-f FILE` (as `cxda validate`): each issue's
 * path becomes the file's name as given, with the line and column of its node (`keysOf` maps the
 * issue's segments to the file's keys; a missing node falls back to its nearest parent, then to the
 * document), and the issues are sorted by position. Printed, they read `FILE:LINE:COLUMN: message`.
 */
export function locateIssues(
  input: InputFile,
  shownName: string,
  issues: readonly ValidationIssue[],
  keysOf: IssueKeys = (found) => (found.segments ? { keys: found.segments } : undefined),
): ValidationIssue[] {
  if (shownName === "-") shownName = STDIN_NAME;
  const located = issues.map((found) => {
    const target = keysOf(found);
    let at = target?.key ? input.locateKey(target.keys) : undefined;
    let keys = target?.keys ?? [];
    while (at === undefined && keys.length > 0) {
      at = input.locate(keys);
      keys = keys.slice(0, -1);
    }
    at ??= input.locate([]) ?? { line: 1, column: 1 };
    return { ...found, file: shownName, path: shownName, line: at.line, column: at.column };
  });
  return sortProblems(shownName, located).map(({ file: _file, ...found }) => found);
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "");
}
