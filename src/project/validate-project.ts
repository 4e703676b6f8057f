/**
 * `cxda validate|plan|apply` read a `cxda.yaml` through one pipeline: the loader (validate/loader.ts)
 * does all the I/O and returns the document with its source map; pure checkers, one per section
 * (validate/action.ts, headers, variables, overrides, date-processing, graph, secrets), apply the shared
 * domain validators under a base path; the locator (validate/locator.ts) turns each problem's path into
 * FILE:LINE:COLUMN. Every problem is reported at once; a script's own problems point into the script.
 * Never throws on bad input.
 *
 * Decisions: dependencies must name actions of the same file (a project is a closed set, so a plan is
 * reproducible offline and `--prune` never deletes something the file still needs); an encrypted
 * variable or masked override whose value is written literally is an error unless
 * `allowLiteralSecrets`; with `requireValues: false` (`cxda validate`) a placeholder whose variable or
 * file is missing is not a problem: the structure is checked without secret values.
 */
import type { Redactor } from "../audit/redactor.js";
import type { ValidationIssue } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";
import type { DesiredAction, DesiredState } from "./desired-state.js";
import { ProjectFileCheckSchema } from "./project-schema.js";
import { checkAction } from "./validate/action.js";
import { CheckContext, type CheckOptions, FAILED, isRecord, typeName } from "./validate/context.js";
import { checkGraph } from "./validate/graph.js";
import { type LoadedProject, type LoadOptions, loadProjectFile, loadProjectText } from "./validate/loader.js";
import { locateProblems, type ProjectProblem } from "./validate/locator.js";
import { checkPlaceholderUse, type Position, positionsOf } from "./validate/secrets.js";
import { checkDuplicateKeys, checkEnvironments, checkShape } from "./validate/shape.js";

export { formatProblem, type ProjectProblem } from "./validate/locator.js";

export interface ValidateProjectOptions extends LoadOptions, CheckOptions {
  /** The resolved values of secret positions are registered here so no output prints them. */
  redactor?: Redactor;
}

export interface ProjectValidation {
  ok: boolean;
  problems: ProjectProblem[];
  /**
   * The desired state, only when the file is valid. With `requireValues: false` an unresolved
   * placeholder stays as written in its value: such a state is for describing, never for writing.
   */
  project?: DesiredState;
  /** Placeholders left unresolved (only with `requireValues: false`), each once, as written. */
  unresolved: string[];
  /** Where a path of the project file is (`["actions", "crm_lookup", "headers"]` → line and column). */
  locate?: (path: readonly (string | number)[]) => { line: number; column: number };
}

export function validateProject(text: string, options: ValidateProjectOptions = {}): ProjectValidation {
  return check(loadProjectText(text, options), options);
}

/** Reads and validates a project file; the file itself unreadable is one problem at 1:1. */
export function loadProject(
  file: string,
  options: Omit<ValidateProjectOptions, "fileName"> = {},
): ProjectValidation {
  const loaded = loadProjectFile(file, options);
  if ("unreadable" in loaded) {
    return {
      ok: false,
      problems: locateProblems(file, { locate: () => ({ line: 1, column: 1 }) }, [loaded.unreadable]),
      unresolved: [],
    };
  }
  return check(loaded, options);
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

function check(loaded: LoadedProject, options: ValidateProjectOptions): ProjectValidation {
  const ctx = new CheckContext(loaded, options);
  const unresolved = [
    ...new Set(
      [...loaded.texts.values()].flatMap((t) => t.sources.filter((s) => s.missing).map((s) => s.text)),
    ),
  ];
  const project = loaded.source.syntaxErrors.length === 0 ? checkDocument(ctx) : undefined;
  registerSecrets(positionsOf(ctx), options.redactor);
  const problems = locateProblems(loaded.fileName, loaded.source, ctx.problems);
  if (problems.length > 0 || !project) return { ok: false, problems, unresolved };
  return {
    ok: true,
    problems,
    unresolved,
    project,
    locate: (path) => loaded.source.locate(path, { key: true }),
  };
}

function checkDocument(ctx: CheckContext): DesiredState | undefined {
  checkDuplicateKeys(ctx);
  const data = ctx.loaded.source.data;
  if (!isRecord(data)) {
    ctx.report(
      [],
      FAILED,
      data === undefined || data === null
        ? `${ctx.fileName} is empty; start it with 'apiVersion: cxda/v1' and an 'actions:' mapping`
        : `${ctx.fileName} must be a mapping with apiVersion and actions, got ${typeName(data)}`,
    );
    return undefined;
  }
  checkShape(ctx, ProjectFileCheckSchema, data, []);
  const environments = checkEnvironments(ctx, data.environments);
  const rawActions = isRecord(data.actions) ? data.actions : {};
  const actions: DesiredAction[] = [];
  for (const [name, raw] of Object.entries(rawActions)) {
    const action = checkAction(ctx, name, raw, environments);
    if (action) actions.push(action);
  }
  checkGraph(ctx, rawActions);
  const positions = positionsOf(ctx);
  checkPlaceholderUse(ctx, positions);
  for (const action of actions) describeValues(action, positions);
  return { apiVersion: "cxda/v1", ...(environments ? { environments } : {}), actions };
}

/** Only secret values are masked in output: a plain value is stored readable, so it is shown. */
function registerSecrets(positions: readonly Position[], redactor: Redactor | undefined): void {
  for (const p of positions) {
    if (!p.secret) continue;
    for (const source of p.text.sources)
      if (source.value !== undefined) redactor?.register(source.value, source.text);
  }
}

/** The credential headers of an action, and where its plain values came from, as the plan shows them. */
function describeValues(action: DesiredAction, positions: readonly Position[]): void {
  const sources: Record<string, string> = {};
  for (const p of positions) {
    const [, name, field, key, index, leaf] = p.text.path;
    if (name !== action.name) continue;
    if (field === "headers" && p.secret) action.secretHeaders.push(String(key));
    if (p.secret || p.text.sources.length === 0) continue;
    const shownAt = planPath(action, field, key, index, leaf);
    if (shownAt) sources[shownAt] = p.text.sources.map((s) => s.text).join(", ");
  }
  if (Object.keys(sources).length > 0) action.sources = sources;
}

function planPath(
  action: DesiredAction,
  field: unknown,
  key: unknown,
  index: unknown,
  leaf: unknown,
): string | undefined {
  if (field === "description") return "description";
  if (field === "request") return "request.urlTemplate";
  if (field === "headers") return `headers.${String(key)}`;
  if (field === "variables") {
    const variable = action.variables?.[Number(key)];
    return variable ? `variables.${variable.name}.value` : undefined;
  }
  if (field === "overrides") {
    const override = action.overrides?.[String(key)]?.[Number(index)];
    return override ? `overrides.${String(key)}.${override.name}.${String(leaf)}` : undefined;
  }
  return undefined;
}
