/**
 * Resolving `${env:NAME}` and `${file:PATH}` (syntax in domain/placeholders.ts), for project files
 * and for the CLI's `-f` input files, so credentials stay out of shell history and committed files.
 * A file's content loses one trailing line break. With `confineTo`, a `${file:…}` must stay inside that
 * directory once symlinks are resolved; the check is made before anything is read.
 */
import { readFileSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Redactor } from "../audit/redactor.js";
import { type Placeholder, splitPlaceholders } from "../domain/placeholders.js";
import { type IssuePath, issue, pathText, type ValidationIssue } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";

export { hasPlaceholder } from "../domain/placeholders.js";

export interface PlaceholderOptions {
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative `${file:…}` paths start here (default the working directory). */
  baseDir?: string;
  /** Resolved values are registered here, so no sink prints them. */
  redactor?: Redactor;
  /** Where the value sits, for issue paths (default ""). */
  path?: string;
  /** The same place as keys and indexes, kept on the issues (`segments`) so callers can locate them. */
  segments?: IssuePath;
  /** Injectable for tests; default reads UTF-8 from disk. */
  readFile?: (absolutePath: string) => string;
  /** Injectable for tests; default `fs.realpathSync`. */
  realpath?: (absolutePath: string) => string;
  /** A `${file:…}` must resolve inside this directory (symlinks resolved), or it is refused unread. */
  confineTo?: string;
  /** How the way out of `confineTo` is named in its message (default: the option's name). */
  confinementFlag?: string;
  /**
   * A variable that is not set, or a file that does not exist, is not a problem: the value is marked
   * `unresolved` (a structure check needs no secret values).
   */
  allowMissing?: boolean;
}

/** A placeholder of a text; `key` is the same for every use of one variable or file. */
export interface PlaceholderSource extends Placeholder {
  /** `env:NAME`, or `file:` and the file's real path (as written, when it could not be resolved). */
  key: string;
  /** Its variable or file was missing (allowed by `allowMissing`), so it was not substituted. */
  missing?: true;
  /** What it was replaced with (absent when missing). Never printed: it may be a secret. */
  value?: string;
}

export interface ResolvedValue {
  value: string;
  /** True when at least one placeholder was substituted. */
  substituted: boolean;
}

export interface ResolvedText extends ResolvedValue {
  /** Every well-formed placeholder of the text, in order. */
  sources: PlaceholderSource[];
  /** A placeholder's variable or file was missing (only with `allowMissing`): the value is not known. */
  unresolved: boolean;
}

/** Resolves the placeholders of one string; throws a ValidationError (exit 65) naming every bad one. */
export function resolvePlaceholders(text: string, options: PlaceholderOptions = {}): ResolvedValue {
  const issues: ValidationIssue[] = [];
  const { value, substituted } = resolveText(text, options, issues);
  if (issues.length > 0) throw new ValidationError(summary(issues), { issues });
  return { value, substituted };
}

/**
 * Resolves placeholders in every string of a parsed document (objects, arrays), collecting every
 * problem instead of stopping at the first. Keys are left as they are.
 */
export function resolvePlaceholdersDeep(
  data: unknown,
  options: PlaceholderOptions = {},
): { value: unknown; issues: ValidationIssue[]; substitutedPaths: string[] } {
  const issues: ValidationIssue[] = [];
  const substitutedPaths: string[] = [];
  const walk = (node: unknown, segments: IssuePath): unknown => {
    if (typeof node === "string") {
      const rest = pathText(segments);
      const prefix = options.path ?? "";
      const path = prefix === "" || rest === "" || rest.startsWith("[") ? prefix + rest : `${prefix}.${rest}`;
      const r = resolveText(node, { ...options, path, segments }, issues);
      if (r.substituted) substitutedPaths.push(path);
      return r.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...segments, i]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, [...segments, key]);
      return out;
    }
    return node;
  };
  const value = walk(data, []);
  return { value, issues, substitutedPaths };
}

/** Resolves one string, adding a problem per bad placeholder to `issues`; never throws on bad input. */
export function resolveText(
  text: string,
  options: PlaceholderOptions,
  issues: ValidationIssue[],
): ResolvedText {
  const path = options.path ?? "";
  const where = path === "" ? "" : ` in ${path}`;
  const fail = (message: string) =>
    issues.push(issue(options.segments ?? path, "validation-failed", message));
  const sources: PlaceholderSource[] = [];
  let substituted = false;
  let unresolved = false;
  let value = "";
  for (const part of splitPlaceholders(text)) {
    if (part.kind === "literal") {
      value += part.text;
      continue;
    }
    if (part.kind === "invalid") {
      fail(`${part.problem}${where}`);
      value += part.text;
      continue;
    }
    const found =
      part.placeholder.kind === "env"
        ? readEnv(part.placeholder, options, where)
        : readFileValue(part.placeholder, options, where);
    if ("problem" in found) {
      if (found.problem !== undefined) fail(found.problem);
      else {
        unresolved = true;
        sources.push({ ...part.placeholder, key: lexicalKey(part.placeholder, options), missing: true });
      }
      value += part.placeholder.text;
      continue;
    }
    sources.push({ ...part.placeholder, key: found.key, value: found.value });
    substituted = true;
    options.redactor?.register(found.value, part.placeholder.text);
    value += found.value;
  }
  return { value, substituted, sources, unresolved };
}

function lexicalKey(placeholder: Placeholder, options: PlaceholderOptions): string {
  if (placeholder.kind === "env") return `env:${placeholder.arg}`;
  return `file:${resolve(options.baseDir ?? process.cwd(), placeholder.arg)}`;
}

/** A value, or a problem (undefined: missing, and allowed to be). */
type Found = { value: string; key: string } | { problem: string | undefined };

function readEnv(placeholder: Placeholder, options: PlaceholderOptions, where: string): Found {
  const name = placeholder.arg;
  const found = (options.env ?? process.env)[name];
  if (found !== undefined) return { value: found, key: `env:${name}` };
  if (options.allowMissing) return { problem: undefined };
  return {
    problem: `environment variable ${name} is not set (placeholder \${env:${name}}${where}); export it first`,
  };
}

function readFileValue(placeholder: Placeholder, options: PlaceholderOptions, where: string): Found {
  const base = options.baseDir ?? process.cwd();
  const absolute = isAbsolute(placeholder.arg) ? resolve(placeholder.arg) : resolve(base, placeholder.arg);
  const startsAt = `relative paths start at ${options.baseDir ?? "the working directory"}`;
  let real: string;
  try {
    const checked = confinedPath(absolute, options.confineTo, options.realpath);
    if (!checked.inside) {
      return {
        problem: `placeholder ${placeholder.text}${where} reads a file outside the project directory ${checked.dir}; a project may only read files inside its own directory: move the file there (and keep it out of version control), or pass ${options.confinementFlag ?? "--allow-files-outside-project"}`,
      };
    }
    real = checked.real;
  } catch (error) {
    return unreadable(error, placeholder, options, where, startsAt);
  }
  try {
    const content = (options.readFile ?? ((p: string) => readFileSync(p, "utf8")))(real).replace(
      /\r?\n$/,
      "",
    );
    return { value: content, key: `file:${real}` };
  } catch (error) {
    return unreadable(error, placeholder, options, where, startsAt);
  }
}

function unreadable(
  error: unknown,
  placeholder: Placeholder,
  options: PlaceholderOptions,
  where: string,
  startsAt: string,
): Found {
  const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
  if (code === "ENOENT" && options.allowMissing) return { problem: undefined };
  return {
    problem: `placeholder ${placeholder.text}${where} cannot be read (${code}); check the path (${startsAt})`,
  };
}

/**
 * Where `absolute` really is (symlinks resolved) and whether that is inside `dir` (symlinks resolved
 * too). A path that leaves `dir` as written is refused before its links are followed. Reads no
 * content; throws the file system's error (ENOENT…) when the path does not exist.
 */
export function confinedPath(
  absolute: string,
  dir: string | undefined,
  realpath: (path: string) => string = (p) => realpathSync(p),
): { inside: true; real: string } | { inside: false; dir: string } {
  if (dir === undefined) return { inside: true, real: realpath(absolute) };
  let realDir: string;
  try {
    realDir = realpath(dir);
  } catch {
    realDir = resolve(dir);
  }
  const within = (path: string) => isInside(path, resolve(dir)) || isInside(path, realDir);
  if (!within(absolute)) return { inside: false, dir: realDir };
  const real = realpath(absolute);
  return within(real) ? { inside: true, real } : { inside: false, dir: realDir };
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function summary(issues: ValidationIssue[]): string {
  return issues.length === 1 ? issues[0]!.message : `${issues.length} placeholders could not be resolved`;
}
