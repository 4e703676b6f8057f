/** Reads an overrides file (YAML or JSON) into checked override variables, problems located in the file. */
import { type OverrideVariable, validateOverrides } from "../../../domain/overrides.js";
import { issue, type ValidationIssue } from "../../../domain/validation-result.js";
import { inputValueText } from "../../../domain/variables.js";
import { ValidationError } from "../../../errors.js";
import { resolvePlaceholdersDeep } from "../../../project/placeholders.js";
import type { CommandContext } from "../../context.js";
import { type InputFile, locateIssues, readInputFile } from "../../input-file.js";

/**
 * Issues of the domain's payload placed in the file: a bare list holds the items itself, and a map
 * `NAME: value` holds item i under its name.
 */
function located(
  file: InputFile,
  shownName: string,
  issues: ValidationIssue[],
  items: "nested" | "list" | "map",
): ValidationIssue[] {
  const names = items === "map" ? Object.keys(file.data as object) : [];
  return locateIssues(file, shownName, issues, (found) => {
    const [first, index, ...rest] = found.segments ?? [];
    if (first !== "variables" || items === "nested" || typeof index !== "number")
      return { keys: found.segments ?? [] };
    return { keys: items === "map" ? [names[index] ?? index, ...rest] : [index, ...rest] };
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
  if (resolved.issues.length > 0) throw refused(path, locateIssues(file, path, resolved.issues));
  const data = resolved.value;
  let payload: unknown = data;
  let items: "nested" | "list" | "map" = Array.isArray(data) ? "list" : "nested";
  if (typeof data === "object" && data !== null && !Array.isArray(data) && !("variables" in data)) {
    items = "map";
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
  payload = withInputValues(payload);
  const result = validateOverrides(payload);
  if (!result.ok) throw refused(path, located(file, path, result.issues, items));
  const list = Array.isArray(payload) ? payload : (payload as { variables: unknown[] }).variables;
  return list as OverrideVariable[];
}

/** The value rule of every input file (the same as cxda.yaml): `value: 3` is the text "3". */
function withInputValues(payload: unknown): unknown {
  const convert = (list: unknown) =>
    Array.isArray(list)
      ? list.map((item) =>
          typeof item === "object" && item !== null && !Array.isArray(item) && "value" in item
            ? { ...item, value: inputValueText((item as { value: unknown }).value) }
            : item,
        )
      : list;
  if (Array.isArray(payload)) return convert(payload);
  const body = payload as Record<string, unknown>;
  return { ...body, variables: convert(body.variables) };
}
