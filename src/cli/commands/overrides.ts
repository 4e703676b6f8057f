/** `cxda overrides get|set|unset|validate|resolve` (SPEC §6.2, §6.3, §12). */
import type { DriftEntry } from "../../domain/drift.js";
import { type OverrideVariable, validateOverrides } from "../../domain/overrides.js";
import { issue, type ValidationIssue } from "../../domain/validation-result.js";
import { ValidationError } from "../../errors.js";
import type { WorkflowContext } from "../../workflows/operation.js";
import {
  applyOverrides,
  getOverrides,
  type OverridesWriteResult,
  resolveVariables,
  unsetOverrides,
} from "../../workflows/overrides.js";
import type { CommandContext } from "../context.js";
import { type InputFile, readInputFile } from "../input-file.js";
import { formatTable } from "../output.js";
import { resolvePlaceholdersDeep } from "../placeholders.js";
import type { CommandHandler } from "../program.js";

async function workflowContext(ctx: CommandContext, mutating: boolean): Promise<WorkflowContext> {
  return { client: await ctx.client(), recorder: mutating ? await ctx.recorder() : undefined };
}

function text(options: Record<string, unknown>, key: string): string {
  return String(options[key]);
}

/** `variables[2].value` → ["variables", 2, "value"]. */
function segments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.match(/[^.[\]]+/g) ?? []) out.push(/^\d+$/.test(part) ? Number(part) : part);
  return out;
}

/** Issues located in the file (line, column of the nearest node), prefixed with `file:line:column`. */
function located(
  file: InputFile,
  shownName: string,
  issues: ValidationIssue[],
  bare: boolean,
): ValidationIssue[] {
  return issues.map((found) => {
    let keys = segments(found.path);
    if (bare && keys[0] === "variables") keys = keys.slice(1);
    let at: { line: number; column: number } | undefined;
    while (at === undefined && keys.length > 0) {
      at = file.locate(keys);
      keys = keys.slice(0, -1);
    }
    at ??= file.locate([]);
    if (!at) return found;
    const path = bare ? found.path.replace(/^variables/, "") : found.path;
    return { ...found, path: path === "" ? shownName : `${shownName} ${path}`, ...at };
  });
}

function refused(file: string, issues: ValidationIssue[]): ValidationError {
  return new ValidationError(`${file} has ${issues.length} problem${issues.length === 1 ? "" : "s"}`, {
    slug: "validation-failed",
    issues,
  });
}

/**
 * Reads an overrides file: a list of `{name, value, masked?, description?}`, `{variables: [...]}`, or a map
 * `NAME: value` / `NAME: {value, masked?, description?}`. `${env:…}`/`${file:…}` placeholders are resolved
 * (and registered with the redactor); every problem is reported with file:line:column.
 */
export function readOverridesFile(ctx: CommandContext, path: string): OverrideVariable[] {
  const file = readInputFile(path);
  const resolved = resolvePlaceholdersDeep(file.data, { baseDir: file.baseDir, redactor: ctx.redactor });
  if (resolved.issues.length > 0) throw refused(path, located(file, path, resolved.issues, false));
  const data = resolved.value;
  let payload: unknown = data;
  let bare = Array.isArray(data);
  if (typeof data === "object" && data !== null && !Array.isArray(data) && !("variables" in data)) {
    bare = true;
    payload = Object.entries(data).map(([name, v]) =>
      typeof v === "object" && v !== null && !Array.isArray(v) ? { name, ...v } : { name, value: v },
    );
  } else if (data === null || typeof data !== "object") {
    throw refused(path, [
      issue(
        "",
        "validation-failed",
        `${path}: expected a list of overrides, {variables: [...]}, or NAME: value pairs`,
      ),
    ]);
  }
  const result = validateOverrides(payload);
  if (!result.ok) throw refused(path, located(file, path, result.issues, bare));
  const list = Array.isArray(payload) ? payload : (payload as { variables: unknown[] }).variables;
  return list as OverrideVariable[];
}

function shownValue(v: { value: string; masked: boolean }): string {
  return v.masked ? "***" : v.value;
}

export function driftTable(
  ctx: CommandContext,
  entries: DriftEntry[],
  baseline: string,
  target: string,
): string {
  const c = ctx.out.colors;
  return formatTable(
    ["NAME", "DRIFT", baseline.toUpperCase(), target.toUpperCase()],
    entries.map((e) => [
      e.name,
      e.kind === "only_in_baseline" || e.kind === "only_in_target" ? c.yellow(e.kind) : c.red(e.kind),
      e.baseline ?? c.dim("(absent)"),
      e.target ?? c.dim("(absent)"),
    ]),
    c,
  );
}

function printWrite(ctx: CommandContext, result: OverridesWriteResult, what: string): void {
  if (ctx.out.json) {
    ctx.out.result({ ...result });
    return;
  }
  const names = what === "unset" ? result.removed : result.set;
  ctx.out.line(
    result.changed
      ? `${what} ${names.length} override${names.length === 1 ? "" : "s"} of ${result.action.name} in ${result.environmentId} (version ${result.version}): ${names.join(", ") || "-"}`
      : `${result.action.name} in ${result.environmentId} already had these overrides; nothing changed (version ${result.version})`,
  );
  if (result.build) {
    const errors = result.build.errors?.map((e) => `\n    ${e.path ?? ""} ${e.message}`).join("") ?? "";
    ctx.out.line(`  build ${result.build.id}: ${result.build.status}${errors}`);
  }
  if (result.drift) {
    if (result.drift.entries.length === 0) ctx.out.line(`  no drift from ${result.drift.baseline}`);
    else {
      ctx.out.line(`  drift from ${result.drift.baseline}:`);
      ctx.out.line(driftTable(ctx, result.drift.entries, result.drift.baseline, result.environmentId));
    }
  }
}

export const overridesGet: CommandHandler = async (ctx, args, options) => {
  const set = await getOverrides(await workflowContext(ctx, false), args[0]!, text(options, "env"));
  if (ctx.out.json) {
    ctx.out.result({ overrides: set });
    return 0;
  }
  if (set.variables.length === 0) {
    ctx.out.line(`no overrides in ${set.environmentId} (version ${set.version})`);
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "VALUE", "MASKED", "DESCRIPTION"],
      set.variables.map((v) => [v.name, shownValue(v), v.masked ? "yes" : "no", v.description ?? ""]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(
    `${set.variables.length} override${set.variables.length === 1 ? "" : "s"} in ${set.environmentId}, version ${set.version}`,
  );
  return 0;
};

export const overridesSet: CommandHandler = async (ctx, args, options) => {
  const variables = readOverridesFile(ctx, text(options, "file"));
  const result = await applyOverrides(
    await workflowContext(ctx, true),
    args[0]!,
    text(options, "env"),
    variables,
    {
      replace: options.replace === true,
      wait: options.wait === true,
      ...(typeof options.baseline === "string" ? { baseline: options.baseline } : {}),
    },
  );
  printWrite(ctx, result, "set");
  return result.build?.status === "FAILED" ? 1 : 0;
};

export const overridesUnset: CommandHandler = async (ctx, args, options) => {
  const [ref, ...names] = args;
  const result = await unsetOverrides(await workflowContext(ctx, true), ref!, text(options, "env"), names);
  printWrite(ctx, result, "unset");
  return 0;
};

export const overridesValidate: CommandHandler = async (ctx, _args, options) => {
  const path = text(options, "file");
  const variables = readOverridesFile(ctx, path);
  if (ctx.out.json)
    ctx.out.result({ valid: true, file: path, count: variables.length, names: variables.map((v) => v.name) });
  else ctx.out.line(`${path}: ${variables.length} override${variables.length === 1 ? "" : "s"}, all valid`);
  return 0;
};

export const overridesResolve: CommandHandler = async (ctx, args, options) => {
  const resolved = await resolveVariables(await workflowContext(ctx, false), args[0]!, text(options, "env"));
  if (ctx.out.json) {
    ctx.out.result({ ...resolved });
    return 0;
  }
  if (resolved.variables.length === 0) {
    ctx.out.line(`${resolved.action.name} has no variables in ${resolved.environmentId}`);
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "VALUE", "SOURCE", "HIDES"],
      resolved.variables.map((v) => [v.name, v.value, v.source, v.shadows.join(", ") || "-"]),
      ctx.out.colors,
    ),
  );
  return 0;
};
