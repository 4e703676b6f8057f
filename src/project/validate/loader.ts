/**
 * The I/O of `cxda validate|plan|apply`: reads the project file, the script files it names and the
 * values of its placeholders, and returns the document with its source map. Everything after this
 * (the checkers, the locator) is pure.
 *
 * Placeholders are resolved in descriptions, request URLs, header values, variable values and override
 * values and descriptions. A `${file:…}` and a script file must stay inside the project file's
 * directory once symlinks are resolved, unless `allowFilesOutsideProject`; the check comes before the
 * read, so nothing outside is ever read.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve } from "node:path";
import { type IssuePath, pathText, type ValidationIssue } from "../../domain/validation-result.js";
import { confinedPath, type ResolvedText, resolveText } from "../placeholders.js";
import { parseYamlDocument, type YamlDocument } from "../yaml-document.js";
import type { PathProblem } from "./locator.js";

export interface LoadOptions {
  /** How the project file is named in problems (default `cxda.yaml`). */
  fileName?: string;
  /** Where script files and `${file:…}` paths start (default the directory of fileName). */
  baseDir?: string;
  /** For `${env:NAME}` (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * False for a structure check (`cxda validate`): an environment variable that is not set or a file
   * that does not exist leaves its value unresolved instead of being a problem. Default true.
   */
  requireValues?: boolean;
  /** Lets `${file:…}` and script files leave the project's directory. */
  allowFilesOutsideProject?: boolean;
  /** Injectable for tests; default reads UTF-8 from disk. */
  readFile?: (absolutePath: string) => string;
  /** Injectable for tests; default `fs.realpathSync` (the identity when only readFile is injected). */
  realpath?: (absolutePath: string) => string;
}

/** A placeholder-capable string value of the file, resolved, with where it is. */
export interface LoadedText extends ResolvedText {
  path: IssuePath;
}

export interface LoadedScript {
  content: string;
  /** The path as written in the project file. */
  file: string;
  /** The path problems name (relative to where the user runs cxda). */
  shownFile: string;
}

export interface LoadedProject {
  fileName: string;
  /** The parsed document and its positions (the source map). */
  source: YamlDocument;
  /** Every placeholder-capable string value, resolved, by `pathKey` of its path. */
  texts: ReadonlyMap<string, LoadedText>;
  /** Script contents by action name. */
  scripts: ReadonlyMap<string, LoadedScript>;
  /** What could not be read or resolved. */
  problems: PathProblem[];
  /** Paths whose value is unusable (a problem was reported there): checks under them are skipped. */
  unusable: IssuePath[];
}

const FAILED = "validation-failed";

export function pathKey(path: IssuePath): string {
  return JSON.stringify(path);
}

/** Reads and loads a project file; the file itself unreadable is one problem at 1:1. */
export function loadProjectFile(
  file: string,
  options: Omit<LoadOptions, "fileName"> = {},
): LoadedProject | { fileName: string; unreadable: PathProblem } {
  try {
    const text = (options.readFile ?? ((p: string) => readFileSync(p, "utf8")))(resolve(file));
    return loadProjectText(text, { ...options, fileName: file });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    const why = code === "ENOENT" ? "no such file" : code;
    return {
      fileName: file,
      unreadable: {
        path: [],
        code: FAILED,
        message: `cannot read ${file}: ${why}; give the project file with -f`,
        at: { line: 1, column: 1 },
      },
    };
  }
}

export function loadProjectText(text: string, options: LoadOptions = {}): LoadedProject {
  const fileName = options.fileName ?? "cxda.yaml";
  const source = parseYamlDocument(text);
  const loader = new Loader(fileName, options);
  if (source.syntaxErrors.length === 0) loader.walk(source.data);
  else {
    for (const e of source.syntaxErrors)
      loader.problems.push({ path: [], code: FAILED, message: e.message, at: e });
  }
  return {
    fileName,
    source,
    texts: loader.texts,
    scripts: loader.scripts,
    problems: loader.problems,
    unusable: loader.unusable,
  };
}

class Loader {
  readonly texts = new Map<string, LoadedText>();
  readonly scripts = new Map<string, LoadedScript>();
  readonly problems: PathProblem[] = [];
  readonly unusable: IssuePath[] = [];
  private readonly baseDir: string;
  private readonly readFile: (absolutePath: string) => string;
  private readonly realpath: (absolutePath: string) => string;

  constructor(
    private readonly fileName: string,
    private readonly options: LoadOptions,
  ) {
    this.baseDir = options.baseDir ?? dirname(resolve(fileName));
    this.readFile = options.readFile ?? ((p: string) => readFileSync(p, "utf8"));
    this.realpath =
      options.realpath ?? (options.readFile ? (p: string) => resolve(p) : (p: string) => realpathSync(p));
  }

  walk(data: unknown): void {
    if (!isRecord(data) || !isRecord(data.actions)) return;
    for (const [name, action] of Object.entries(data.actions)) {
      if (!isRecord(action)) continue;
      const at = ["actions", name];
      this.text([...at, "description"], action.description);
      if (isRecord(action.request)) this.text([...at, "request", "urlTemplate"], action.request.urlTemplate);
      if (isRecord(action.headers)) {
        for (const [header, value] of Object.entries(action.headers))
          this.text([...at, "headers", header], value);
      }
      if (Array.isArray(action.variables)) {
        action.variables.forEach((item, i) => {
          if (isRecord(item)) this.text([...at, "variables", i, "value"], item.value);
        });
      }
      if (isRecord(action.overrides)) {
        for (const [env, items] of Object.entries(action.overrides)) {
          if (!Array.isArray(items)) continue;
          items.forEach((item, i) => {
            if (!isRecord(item)) return;
            this.text([...at, "overrides", env, i, "value"], item.value);
            this.text([...at, "overrides", env, i, "description"], item.description);
          });
        }
      }
      this.script(name, action.script);
    }
  }

  private text(path: IssuePath, value: unknown): void {
    if (typeof value !== "string") return;
    const issues: ValidationIssue[] = [];
    const resolved = resolveText(
      value,
      {
        ...(this.options.env ? { env: this.options.env } : {}),
        baseDir: this.baseDir,
        path: pathText(path),
        readFile: this.readFile,
        realpath: this.realpath,
        ...(this.options.allowFilesOutsideProject ? {} : { confineTo: this.baseDir }),
        allowMissing: this.options.requireValues === false,
      },
      issues,
    );
    this.texts.set(pathKey(path), { ...resolved, path });
    for (const i of issues) this.problems.push({ path, code: FAILED, message: i.message });
    if (issues.length > 0 || resolved.unresolved) this.unusable.push(path);
  }

  private script(name: string, script: unknown): void {
    const file = isRecord(script) ? script.file : undefined;
    if (typeof file !== "string") return;
    const filePath = ["actions", name, "script", "file"];
    const where = pathText(filePath);
    const unusable = () => this.unusable.push(["actions", name, "script"]);
    if (file === "") {
      this.problems.push({
        path: filePath,
        code: FAILED,
        message: `${where}: is empty; give the script's path relative to ${this.fileName}`,
      });
      unusable();
      return;
    }
    const shownFile = isAbsolute(file) ? file : normalize(join(dirname(this.fileName), file));
    const absolute = isAbsolute(file) ? resolve(file) : resolve(this.baseDir, file);
    try {
      const checked = confinedPath(
        absolute,
        this.options.allowFilesOutsideProject ? undefined : this.baseDir,
        this.realpath,
      );
      if (!checked.inside) {
        this.problems.push({
          path: filePath,
          code: FAILED,
          message: `${where}: ${shownFile} is outside the project directory ${checked.dir}; a project may only read files inside its own directory: move the script there, or pass --allow-files-outside-project`,
        });
        unusable();
        return;
      }
      this.scripts.set(name, { content: this.readFile(checked.real), file, shownFile });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code;
      this.problems.push({
        path: filePath,
        code: FAILED,
        message: `${where}: cannot read ${shownFile}: ${why}; the path is relative to ${this.fileName}`,
      });
      unusable();
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
