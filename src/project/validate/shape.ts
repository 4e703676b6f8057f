/**
 * The shape of a project file: duplicate keys, unknown keys (with "did you mean"), wrong types and
 * enum values from the zod schemas of project-schema.ts, and the `environments` list.
 */
import type { z } from "zod";
import { type IssuePath, pathText } from "../../domain/validation-result.js";
import { didYouMean } from "../did-you-mean.js";
import { ALLOWED_KEYS } from "../project-schema.js";
import { type CheckContext, FAILED, typeName } from "./context.js";

/** Duplicate keys, found by the parser with the line of the first occurrence. */
export function checkDuplicateKeys(ctx: CheckContext): void {
  for (const dup of ctx.loaded.source.duplicateKeys) {
    const isAction = dup.parent.length === 1 && dup.parent[0] === "actions";
    const path = [...dup.parent, dup.key];
    ctx.problems.push({
      path,
      code: FAILED,
      message: isAction
        ? `duplicate action name '${dup.key}' (first defined at line ${dup.first.line}); action names are unique: rename or remove one`
        : `duplicate key '${dup.key}' in ${where(dup.parent)} (first at line ${dup.first.line}); remove one`,
      at: dup,
    });
    ctx.unusableAt(path);
  }
}

/** Shape problems from zod: unknown keys, wrong types, bad enum values. */
export function checkShape(ctx: CheckContext, schema: z.ZodType, value: unknown, base: IssuePath): void {
  const parsed = schema.safeParse(value);
  if (parsed.success) return;
  for (const zi of parsed.error.issues) {
    const path = [...base, ...(zi.path as (string | number)[])];
    const under = path[0] === "actions";
    if (zi.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(path);
      for (const key of zi.keys) {
        ctx.report(
          [...path, key],
          FAILED,
          `unknown key '${key}' in ${where(path)}${didYouMean(key, allowed)} (allowed: ${allowed.join(", ")})`,
          { key: true },
        );
      }
      continue;
    }
    const bad = (message: string) => {
      ctx.report(path, FAILED, message);
      ctx.unusableAt(path);
    };
    if (zi.code === "invalid_type") {
      const got = valueAt(value, zi.path as (string | number)[]);
      bad(
        got === undefined
          ? `${pathText(path)}: is required${requiredHint(path)}`
          : `${pathText(path)}: expected ${zi.expected}, got ${typeName(got)}`,
      );
    } else if (zi.code === "invalid_value") {
      const values = zi.values.map((v) => String(v)).join(", ");
      bad(`${pathText(path)}: must be ${zi.values.length === 1 ? values : `one of ${values}`}`);
    } else if (zi.code === "invalid_union") {
      bad(`${pathText(path)}: ${zi.message}`);
    } else if (!under) {
      // Formats, lengths and ranges under actions are the domain validators' (better) messages.
      bad(`${pathText(path)}: ${zi.message}`);
    }
  }
}

/** The declared environment ids, each once; a repeated one is a problem at the repetition. */
export function checkEnvironments(ctx: CheckContext, raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const seen = new Map<string, number>();
  const ids: string[] = [];
  raw.forEach((id, i) => {
    if (typeof id !== "string") return;
    const first = seen.get(id);
    if (first !== undefined) {
      ctx.report(
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

/** How a place is named in a message: the project, an action, or a dotted path. */
export function where(path: IssuePath): string {
  if (path.length === 0) return "the project";
  if (path.length === 2 && path[0] === "actions") return `action '${String(path[1])}'`;
  return pathText(path);
}

/** The allowed keys of the mapping at a path, for "did you mean". */
function allowedKeysAt(path: IssuePath): readonly string[] {
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

function requiredHint(path: IssuePath): string {
  const last = path[path.length - 1];
  if (path.length === 1 && last === "apiVersion") return "; start the file with 'apiVersion: cxda/v1'";
  if (last === "type" && path.length === 3) return "; set it to SCRIPT or HTTP";
  if (last === "file") return "; give the script's path relative to the project file";
  return "";
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
