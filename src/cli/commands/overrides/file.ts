/** Reads an overrides file (YAML or JSON) into checked override variables, problems located in the file. */
import { type OverrideVariable, validateOverrides } from "../../../domain/overrides.js";
import { issue, type ValidationIssue } from "../../../domain/validation-result.js";
import { ValidationError } from "../../../errors.js";
import { resolvePlaceholdersDeep } from "../../../project/placeholders.js";
import type { CommandContext } from "../../context.js";
import { type InputFile, readInputFile } from "../../input-file.js";

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
