/**
 * `cxda validate` (SPEC §8): checks a `cxda.yaml` offline against every rule of SPEC §4–§6 through the
 * shared domain validators, and reports EVERY problem at once as file:line:column. A script's own
 * syntax errors point into the script file. Never throws on bad input.
 *
 * Decisions: dependencies must name actions of the same file (a project is a closed set, so a plan is
 * reproducible offline and `--prune` never deletes something the file still needs); placeholders are
 * resolved in descriptions, request URLs, header values, variable values and override values; an
 * encrypted variable or masked override whose value is written literally is an error unless
 * `allowLiteralSecrets`.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve } from "node:path";
import type { z } from "zod";
import type { Redactor } from "../audit/redactor.js";
import { resolvePlaceholders } from "../cli/placeholders.js";
import { validateActionPayload } from "../domain/action-rules.js";
import type { ActionType, HttpMethod } from "../domain/action-schema.js";
import { type DateTimeOperation, DEFAULT_PRECISION, validateDateProcessing } from "../domain/datetime.js";
import { findDependencyCycles, formatCycle } from "../domain/dependency-graph.js";
import { ENVIRONMENT_ID_RULE } from "../domain/environment-id.js";
import { validateHeaders } from "../domain/headers.js";
import { validateOverrides } from "../domain/overrides.js";
import type { ValidationIssue } from "../domain/validation-result.js";
import { type VariableType, validateVariables } from "../domain/variables.js";
import { ValidationError } from "../errors.js";
import type {
  DesiredAction,
  DesiredDateProcessing,
  DesiredOverride,
  DesiredState,
  DesiredVariable,
} from "./desired-state.js";
import { didYouMean } from "./did-you-mean.js";
import {
  ALLOWED_KEYS,
  EnvironmentIdSchema,
  ProjectActionCheckSchema,
  ProjectFileCheckSchema,
} from "./project-schema.js";
import { parseYamlDocument, type YamlDocument, type YamlPath } from "./yaml-document.js";

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

export interface ValidateProjectOptions {
  /** How the project file is named in problems (default `cxda.yaml`). */
  fileName?: string;
  /** Where script files and `${file:…}` paths start (default the directory of fileName). */
  baseDir?: string;
  /** For `${env:NAME}` (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  allowLiteralSecrets?: boolean;
  /** Resolved secrets are registered here so no output prints them. */
  redactor?: Redactor;
  /** Injectable for tests; default reads UTF-8 from disk. */
  readFile?: (absolutePath: string) => string;
}

export interface ProjectValidation {
  ok: boolean;
  problems: ProjectProblem[];
  /** The desired state, only when the file is valid. */
  project?: DesiredState;
}

type Json = Record<string, unknown>;

const FAILED = "validation-failed";
const COMPUTED_FIELDS = new Set(["computedValue", "computedUtc"]);

export function validateProject(text: string, options: ValidateProjectOptions = {}): ProjectValidation {
  const fileName = options.fileName ?? "cxda.yaml";
  const yaml = parseYamlDocument(text);
  const checker = new ProjectChecker(yaml, fileName, options);
  if (yaml.syntaxErrors.length > 0) {
    for (const e of yaml.syntaxErrors) checker.problems.push(problemAt(fileName, e, FAILED, "", e.message));
    return { ok: false, problems: checker.problems };
  }
  const project = checker.check();
  const problems = checker.sortedProblems();
  return problems.length === 0 && project ? { ok: true, problems, project } : { ok: false, problems };
}

/** Reads and validates a project file; the file itself unreadable is one problem at 1:1. */
export function loadProject(
  file: string,
  options: Omit<ValidateProjectOptions, "fileName"> = {},
): ProjectValidation {
  let text: string;
  try {
    text = (options.readFile ?? ((p: string) => readFileSync(p, "utf8")))(resolve(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    const why = code === "ENOENT" ? "no such file" : code;
    return {
      ok: false,
      problems: [
        problemAt(
          file,
          { line: 1, column: 1 },
          FAILED,
          "",
          `cannot read ${file}: ${why}; give the project file with -f`,
        ),
      ],
    };
  }
  return validateProject(text, { ...options, fileName: file });
}

/** A thrown form for callers that stop on an invalid project (exit 65 in the CLI). */
export function projectValidationError(
  fileName: string,
  problems: readonly ProjectProblem[],
): ValidationError {
  const issues: ValidationIssue[] = problems.map((p) => ({
    path: p.file,
    code: p.code,
    message: p.message,
    line: p.line,
    column: p.column,
  }));
  return new ValidationError(
    `${fileName} is not valid: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
    { issues },
  );
}

/** `file:line:column: message`, the form editors and CI annotate. */
export function formatProblem(problem: ProjectProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

function problemAt(
  file: string,
  at: { line: number; column: number },
  code: string,
  path: string,
  message: string,
): ProjectProblem {
  return { file, line: at.line, column: at.column, code, path, message };
}

class ProjectChecker {
  readonly problems: ProjectProblem[] = [];
  /** Paths already reported as malformed: domain issues under them would only repeat the problem. */
  private readonly badPaths: YamlPath[] = [];
  private readonly baseDir: string;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly readFile: (absolutePath: string) => string;

  constructor(
    private readonly yaml: YamlDocument,
    private readonly fileName: string,
    private readonly options: ValidateProjectOptions,
  ) {
    this.baseDir = options.baseDir ?? dirname(resolve(fileName));
    this.env = options.env ?? process.env;
    this.readFile = options.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  }

  sortedProblems(): ProjectProblem[] {
    return this.problems
      .map((p, i) => ({ p, i }))
      .sort(
        (a, b) =>
          Number(a.p.file !== this.fileName) - Number(b.p.file !== this.fileName) ||
          a.p.file.localeCompare(b.p.file) ||
          a.p.line - b.p.line ||
          a.p.column - b.p.column ||
          a.i - b.i,
      )
      .map(({ p }) => p);
  }

  report(path: YamlPath, code: string, message: string, options: { key?: boolean } = {}): void {
    this.problems.push(
      problemAt(this.fileName, this.yaml.locate(path, options), code, dotted(path), message),
    );
  }

  check(): DesiredState | undefined {
    for (const dup of this.yaml.duplicateKeys) {
      const isAction = dup.parent.length === 1 && dup.parent[0] === "actions";
      this.problems.push(
        problemAt(
          this.fileName,
          dup,
          FAILED,
          dotted([...dup.parent, dup.key]),
          isAction
            ? `duplicate action name '${dup.key}' (first defined at line ${dup.first.line}); action names are unique: rename or remove one`
            : `duplicate key '${dup.key}' in ${where(dup.parent)} (first at line ${dup.first.line}); remove one`,
        ),
      );
      this.badPaths.push([...dup.parent, dup.key]);
    }
    const data = this.yaml.data;
    if (!isRecord(data)) {
      this.report(
        [],
        FAILED,
        data === undefined || data === null
          ? `${this.fileName} is empty; start it with 'apiVersion: cxda/v1' and an 'actions:' mapping`
          : `${this.fileName} must be a mapping with apiVersion and actions, got ${typeName(data)}`,
      );
      return undefined;
    }
    this.shape(ProjectFileCheckSchema, data, []);

    const environments = this.environments(data.environments);
    const rawActions = isRecord(data.actions) ? data.actions : {};
    const names = Object.keys(rawActions);
    const actions: DesiredAction[] = [];
    for (const name of names) {
      const action = this.action(name, rawActions[name], environments);
      if (action) actions.push(action);
    }
    this.crossFile(rawActions, names);
    return {
      apiVersion: "cxda/v1",
      ...(environments ? { environments } : {}),
      actions,
    };
  }

  /** Shape problems from zod: unknown keys (with "did you mean"), wrong types, bad enum values. */
  private shape(schema: z.ZodType, value: unknown, base: YamlPath): void {
    const parsed = schema.safeParse(value);
    if (parsed.success) return;
    for (const zi of parsed.error.issues) {
      const path = [...base, ...(zi.path as (string | number)[])];
      const under = path[0] === "actions";
      if (zi.code === "unrecognized_keys") {
        const allowed = allowedKeysAt(path);
        for (const key of zi.keys) {
          this.report(
            [...path, key],
            FAILED,
            `unknown key '${key}' in ${where(path)}${didYouMean(key, allowed)} (allowed: ${allowed.join(", ")})`,
            { key: true },
          );
        }
        continue;
      }
      if (zi.code === "invalid_type") {
        const got = valueAt(value, zi.path as (string | number)[]);
        const message =
          got === undefined
            ? `${dotted(path)}: is required${requiredHint(path)}`
            : `${dotted(path)}: expected ${zi.expected}, got ${typeName(got)}`;
        this.report(path, FAILED, message);
        this.badPaths.push(path);
        continue;
      }
      if (zi.code === "invalid_value") {
        const values = zi.values.map((v) => String(v)).join(", ");
        this.report(
          path,
          FAILED,
          `${dotted(path)}: must be ${zi.values.length === 1 ? values : `one of ${values}`}`,
        );
        this.badPaths.push(path);
        continue;
      }
      if (zi.code === "invalid_union") {
        this.report(path, FAILED, `${dotted(path)}: ${zi.message}`);
        this.badPaths.push(path);
        continue;
      }
      // Formats, lengths and ranges under actions are the domain validators' (better) messages.
      if (!under) {
        this.report(path, FAILED, `${dotted(path)}: ${zi.message}`);
        this.badPaths.push(path);
      }
    }
  }

  private environments(raw: unknown): string[] | undefined {
    if (!Array.isArray(raw)) return undefined;
    const seen = new Map<string, number>();
    const ids: string[] = [];
    raw.forEach((id, i) => {
      if (typeof id !== "string") return;
      const first = seen.get(id);
      if (first !== undefined) {
        this.report(
          ["environments", i],
          FAILED,
          `environments[${i}]: '${id}' is already listed at environments[${first}]; remove the duplicate`,
        );
      } else {
        seen.set(id, i);
        ids.push(id);
      }
    });
    return ids;
  }

  private action(name: string, raw: unknown, environments: string[] | undefined): DesiredAction | undefined {
    const at: YamlPath = ["actions", name];
    if (!isRecord(raw)) {
      this.report(
        at,
        FAILED,
        `action '${name}' must be a mapping with at least 'type' (SCRIPT or HTTP), got ${typeName(raw)}`,
        { key: true },
      );
      return undefined;
    }
    this.shape(ProjectActionCheckSchema, raw, at);
    const label = `action ${name}`;

    const description = this.text([...at, "description"], raw.description);
    const request = isRecord(raw.request)
      ? {
          method: raw.request.method,
          urlTemplate: this.text([...at, "request", "urlTemplate"], raw.request.urlTemplate),
        }
      : undefined;
    const script = this.script(at, raw);
    const payload: Json = {
      name,
      type: raw.type,
      ...(description !== undefined ? { description } : {}),
      ...(script ? { script: { language: "JavaScript", content: script.content } } : {}),
      ...(request ? { config: { request } } : {}),
      ...(raw.dependencies !== undefined ? { dependencies: raw.dependencies } : {}),
    };
    for (const i of validateActionPayload(payload).issues) {
      this.domainIssue(i, label, at, script?.shownFile);
    }

    const headers = this.headers(at, raw.headers, label);
    const variables = this.variables(at, raw.variables, label);
    const overrides = this.overrides(at, raw.overrides, label, environments);
    const dateProcessing = this.dateProcessing(at, raw.dateProcessing, label);

    return {
      name,
      type: raw.type as ActionType,
      description: typeof description === "string" ? description : "",
      script: script ? { language: "JavaScript", content: script.content, file: script.file } : null,
      request:
        request && typeof request.urlTemplate === "string"
          ? { method: request.method as HttpMethod, urlTemplate: request.urlTemplate }
          : null,
      dependencies: Array.isArray(raw.dependencies)
        ? raw.dependencies.filter((d) => typeof d === "string")
        : [],
      headers: headers.matrix,
      secretHeaders: headers.secret,
      ...(variables ? { variables } : {}),
      ...(overrides ? { overrides } : {}),
      dateProcessing,
    };
  }

  /** Resolves the placeholders of one string value; problems are reported at its node. */
  private text(path: YamlPath, value: unknown): string | undefined;
  private text(
    path: YamlPath,
    value: unknown,
    withFlag: true,
  ): { value: string; substituted: boolean } | undefined;
  private text(
    path: YamlPath,
    value: unknown,
    withFlag?: true,
  ): string | { value: string; substituted: boolean } | undefined {
    if (typeof value !== "string") return undefined;
    try {
      const resolved = resolvePlaceholders(value, {
        env: this.env,
        baseDir: this.baseDir,
        path: dotted(path),
        readFile: this.readFile,
        ...(this.options.redactor ? { redactor: this.options.redactor } : {}),
      });
      return withFlag ? resolved : resolved.value;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const i of error.issues) this.report(path, FAILED, i.message);
      this.badPaths.push(path);
      return undefined;
    }
  }

  private script(at: YamlPath, raw: Json): { content: string; file: string; shownFile: string } | undefined {
    if (raw.script === undefined) {
      if (raw.type === "SCRIPT") {
        this.report(
          at,
          FAILED,
          `action ${String(at[1])}: a SCRIPT action needs 'script: {file: path/to/script.js}' (a path relative to ${this.fileName})`,
          { key: true },
        );
        this.badPaths.push([...at, "script"]);
      }
      return undefined;
    }
    const file = isRecord(raw.script) ? raw.script.file : undefined;
    if (typeof file !== "string") return undefined;
    const filePath = [...at, "script", "file"];
    if (file === "") {
      this.report(
        filePath,
        FAILED,
        `${dotted(filePath)}: is empty; give the script's path relative to ${this.fileName}`,
      );
      this.badPaths.push([...at, "script"]);
      return undefined;
    }
    const shownFile = isAbsolute(file) ? file : normalize(join(dirname(this.fileName), file));
    try {
      const content = this.readFile(isAbsolute(file) ? file : resolve(this.baseDir, file));
      return { content, file, shownFile };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code;
      this.report(
        filePath,
        FAILED,
        `${dotted(filePath)}: cannot read ${shownFile}: ${why}; the path is relative to ${this.fileName}`,
      );
      this.badPaths.push([...at, "script"]);
      return undefined;
    }
  }

  private headers(
    at: YamlPath,
    raw: unknown,
    label: string,
  ): { matrix: Record<string, string>; secret: string[] } {
    const matrix: Record<string, string> = {};
    const secret: string[] = [];
    if (!isRecord(raw)) return { matrix, secret };
    for (const [name, value] of Object.entries(raw)) {
      const resolved = this.text([...at, "headers", name], value, true);
      if (!resolved) continue;
      matrix[name] = resolved.value;
      if (resolved.substituted) secret.push(name);
    }
    for (const i of validateHeaders(matrix, "headers").issues) {
      const rest = i.path.startsWith("headers.") ? i.path.slice("headers.".length) : undefined;
      // Header rules are mostly about the name, so the issue points at the key.
      this.domainAt(rest === undefined ? [...at, "headers"] : [...at, "headers", rest], i, label, true);
    }
    return { matrix, secret };
  }

  private variables(at: YamlPath, raw: unknown, label: string): DesiredVariable[] | undefined {
    if (!Array.isArray(raw)) return undefined;
    const base = [...at, "variables"];
    const list = raw.map((item, index) => {
      if (!isRecord(item)) return item;
      const valuePath = [...base, index, "value"];
      const resolved = this.text(valuePath, item.value, true);
      const value = resolved ? resolved.value : valueText(item.value);
      const literal =
        item.value !== undefined && (resolved ? !resolved.substituted : typeof item.value !== "string");
      if (item.encrypted === true && literal && !this.options.allowLiteralSecrets) {
        this.report(
          valuePath,
          FAILED,
          `${label}: variable '${String(item.name)}' is encrypted, so its value must come from \${env:NAME} or \${file:PATH}, not be written in the file; move it to an environment variable or a file (or pass --allow-literal-secrets)`,
        );
      }
      return {
        name: item.name,
        type: item.type,
        value,
        encrypted: item.encrypted ?? false,
        scope: "action",
      };
    });
    for (const i of validateVariables(list, { scope: "action", basePath: "variables" }).issues) {
      this.domainAt([...at, ...tokens(i.path)], i, label);
    }
    return list.filter(isRecord).map(
      (v): DesiredVariable => ({
        name: String(v.name),
        type: v.type as VariableType,
        value: typeof v.value === "string" ? v.value : "",
        encrypted: v.encrypted === true,
      }),
    );
  }

  private overrides(
    at: YamlPath,
    raw: unknown,
    label: string,
    environments: string[] | undefined,
  ): Record<string, DesiredOverride[]> | undefined {
    if (!isRecord(raw)) return undefined;
    const result: Record<string, DesiredOverride[]> = {};
    for (const [env, items] of Object.entries(raw)) {
      const envPath = [...at, "overrides", env];
      if (!EnvironmentIdSchema.safeParse(env).success) {
        this.report(envPath, FAILED, `${label}: '${env}' is not an environment id (${ENVIRONMENT_ID_RULE})`, {
          key: true,
        });
      }
      if (!Array.isArray(items)) continue;
      const list = items.map((item, index) => {
        if (!isRecord(item)) return item;
        const valuePath = [...envPath, index, "value"];
        const resolved = this.text(valuePath, item.value, true);
        const value = resolved ? resolved.value : valueText(item.value);
        const literal =
          item.value !== undefined && (resolved ? !resolved.substituted : typeof item.value !== "string");
        if (item.masked === true && literal && !this.options.allowLiteralSecrets) {
          this.report(
            valuePath,
            FAILED,
            `${label}: override '${String(item.name)}' in ${env} is masked, so its value must come from \${env:NAME} or \${file:PATH}, not be written in the file; move it to an environment variable or a file (or pass --allow-literal-secrets)`,
          );
        }
        const description = this.text([...envPath, index, "description"], item.description);
        return {
          name: item.name,
          value,
          masked: item.masked ?? false,
          ...(description !== undefined ? { description } : {}),
        };
      });
      const checked = validateOverrides(
        { variables: list },
        { environmentId: env, ...(environments ? { knownEnvironments: environments } : {}) },
      );
      for (const i of checked.issues) {
        if (i.path === "environmentId") {
          this.problems.push(
            problemAt(
              this.fileName,
              this.yaml.locate(envPath, { key: true }),
              i.code,
              dotted(envPath),
              `${label}: ${i.message}${didYouMean(env, environments ?? [])}; add it to 'environments:' or fix the id`,
            ),
          );
          continue;
        }
        const segments = tokens(i.path);
        this.domainAt(segments[0] === "variables" ? [...envPath, ...segments.slice(1)] : envPath, i, label);
      }
      result[env] = list.filter(isRecord).map(
        (o): DesiredOverride => ({
          name: String(o.name),
          value: typeof o.value === "string" ? o.value : "",
          masked: o.masked === true,
          description: typeof o.description === "string" ? o.description : "",
        }),
      );
    }
    return result;
  }

  private dateProcessing(at: YamlPath, raw: unknown, label: string): DesiredDateProcessing | null {
    if (!isRecord(raw)) return null;
    const input = { ...raw, precision: raw.precision ?? DEFAULT_PRECISION };
    const base = [...at, "dateProcessing"];
    for (const i of validateDateProcessing(input, "").issues) {
      const segments = tokens(i.path);
      if (COMPUTED_FIELDS.has(String(segments[0])) || i.code === "unknown-field") continue;
      this.domainAt([...base, ...segments], i, label);
    }
    return {
      sourceField: String(raw.sourceField),
      targetField: String(raw.targetField),
      sourceTimestamp: String(raw.sourceTimestamp),
      operation: raw.operation as DateTimeOperation,
      offsetMinutes: Number(raw.offsetMinutes),
      timezone: String(raw.timezone),
      precision: Number(input.precision),
    };
  }

  /** Maps an issue of validateActionPayload (API paths) to the project file or the script file. */
  private domainIssue(i: ValidationIssue, label: string, at: YamlPath, scriptFile: string | undefined): void {
    const segments = tokens(i.path);
    const message = i.message.replaceAll("config.request", "request").replaceAll("config.headers", "headers");
    if (segments[0] === "script" && segments[1] === "content" && scriptFile !== undefined) {
      this.problems.push(
        problemAt(
          scriptFile,
          { line: i.line ?? 1, column: i.column ?? 1 },
          i.code,
          dotted([...at, "script"]),
          `${label}: ${message}`,
        ),
      );
      return;
    }
    let path: YamlPath;
    let key = false;
    if (segments.length === 0 || segments[0] === "name") {
      path = at;
      key = true;
    } else if (segments[0] === "config") {
      path = segments[1] === "request" || segments[1] === "headers" ? [...at, ...segments.slice(1)] : at;
    } else if (segments[0] === "script") {
      path = [...at, "script"];
    } else {
      path = [...at, ...segments];
    }
    this.domainAt(path, { ...i, message }, label, key);
  }

  private domainAt(path: YamlPath, i: ValidationIssue, label: string, key = false): void {
    if (this.badPaths.some((bad) => isUnder(path, bad))) return;
    this.problems.push(
      problemAt(
        this.fileName,
        this.yaml.locate(path, { key }),
        i.code,
        dotted(path),
        `${label}: ${i.message}`,
      ),
    );
  }

  /** Unknown dependencies (they must be in this file) and cycles across the file. */
  private crossFile(rawActions: Json, names: string[]): void {
    const known = new Set(names);
    const graph: Record<string, string[]> = {};
    for (const name of names) {
      const raw = rawActions[name];
      const deps = isRecord(raw) && Array.isArray(raw.dependencies) ? raw.dependencies : [];
      graph[name] = [];
      deps.forEach((dep, i) => {
        if (typeof dep !== "string") return;
        if (known.has(dep)) {
          if (dep !== name) graph[name]!.push(dep);
          return;
        }
        const path = ["actions", name, "dependencies", i];
        if (this.badPaths.some((bad) => isUnder(path, bad))) return;
        this.report(
          path,
          "unknown-dependency",
          `action ${name}: dependency '${dep}' is not defined in this file${didYouMean(dep, names)}; every dependency must be an action under 'actions:' of the same file`,
        );
      });
    }
    for (const cycle of findDependencyCycles(graph)) {
      const [first, second] = cycle;
      const deps = (
        isRecord(rawActions[first!]) ? (rawActions[first!] as Json).dependencies : []
      ) as unknown[];
      const index = Array.isArray(deps) ? deps.indexOf(second) : -1;
      this.report(
        index >= 0 ? ["actions", first!, "dependencies", index] : ["actions", first!],
        "dependency-cycle",
        `dependency cycle across the file: ${formatCycle(cycle)}; remove one of these dependencies`,
      );
    }
  }
}

/** The allowed keys of the mapping at a path, for "did you mean". */
function allowedKeysAt(path: YamlPath): readonly string[] {
  const [top, , field, , , index] = path;
  if (path.length === 0) return ALLOWED_KEYS.project;
  if (top !== "actions") return [];
  if (path.length === 2) return ALLOWED_KEYS.action;
  if (field === "script") return ALLOWED_KEYS.script;
  if (field === "request") return ALLOWED_KEYS.request;
  if (field === "dateProcessing") return ALLOWED_KEYS.dateProcessing;
  if (field === "variables") return ALLOWED_KEYS.variable;
  if (field === "overrides" && index === undefined) return ALLOWED_KEYS.override;
  return [];
}

function requiredHint(path: YamlPath): string {
  const last = path[path.length - 1];
  if (path.length === 1 && last === "apiVersion") return "; start the file with 'apiVersion: cxda/v1'";
  if (last === "type" && path.length === 3) return "; set it to SCRIPT or HTTP";
  if (last === "file") return "; give the script's path relative to the project file";
  return "";
}

function where(path: YamlPath): string {
  if (path.length === 0) return "the project";
  if (path.length === 2 && path[0] === "actions") return `action '${String(path[1])}'`;
  return dotted(path);
}

/** `["actions","a","variables",0,"value"]` → `actions.a.variables[0].value`. */
export function dotted(path: YamlPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** The inverse for issue paths of the domain validators: `variables[2].value` → `["variables",2,"value"]`. */
function tokens(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  return out;
}

function isUnder(path: YamlPath, prefix: YamlPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Numbers and booleans as text; a mapping as JSON text (the API stores object values as JSON). */
function valueText(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isRecord(value)) return JSON.stringify(value);
  return value;
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
