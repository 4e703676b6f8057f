/**
 * Typed action variables and global variables: the item rules shared by the SDK and the
 * emulator. Messages never quote a value, except the short `write 42 as "42"` hint for a plain variable.
 */

import { z } from "zod";
import { RuleIssues } from "./bounded-issues.js";
import {
  type IssuePath,
  issue,
  pathText,
  resultOf,
  shownText,
  utf8Bytes,
  type ValidationResult,
} from "./validation-result.js";

export const VARIABLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const VARIABLE_TYPES = ["string", "integer", "boolean", "object"] as const;
export const VARIABLE_SCOPES = ["action", "global", "template"] as const;
export const MAX_VARIABLE_VALUE_BYTES = 4096;
export const MAX_VARIABLES = 50;
/** Names that would clash with JavaScript object internals when a script reads `context.variables`. */
export const RESERVED_VARIABLE_NAMES: readonly string[] = Object.freeze([
  "__proto__",
  "constructor",
  "prototype",
]);

export type VariableType = (typeof VARIABLE_TYPES)[number];
export type VariableScope = (typeof VARIABLE_SCOPES)[number];

/** The shape of one variable as written (rules beyond the shape are in `validateVariables`). */
export const VariableSchema = z.object({
  name: z.string().regex(VARIABLE_NAME_PATTERN),
  type: z.enum(VARIABLE_TYPES),
  value: z.string(),
  encrypted: z.boolean().default(false),
  scope: z.enum(VARIABLE_SCOPES),
});
export type Variable = z.output<typeof VariableSchema>;

/** A variable as the API returns it: encrypted values come back as `null` with their key and fingerprint. */
export interface StoredVariable {
  name: string;
  type: VariableType;
  value: string | null;
  encrypted: boolean;
  scope: VariableScope;
  keyId?: string;
  fingerprint?: string;
}

export interface ValidateVariablesOptions {
  /** The level being written to: `action` for `/dataactions/{id}/variables`, `global` for `/variables`. */
  scope: "action" | "global";
  /** Prefix of every issue path; default `["variables"]`. */
  basePath?: IssuePath;
}

const CODE = "validation-failed";
const KNOWN_FIELDS = new Set(["name", "type", "value", "encrypted", "scope"]);
const RESERVED_NAMES = new Set(RESERVED_VARIABLE_NAMES);

/**
 * Checks a whole variable list and reports every problem at once. A missing `scope` means the level being
 * written to. Duplicate names are found ignoring case (`apiKey` and `APIKEY` collide), because the three
 * levels of §6.3 are merged by name and two spellings of one name are a mistake, not two variables.
 */
export function validateVariables(list: unknown, options: ValidateVariablesOptions): ValidationResult {
  const base = options.basePath ?? ["variables"];
  const baseText = pathText(base);
  if (!Array.isArray(list)) {
    const hint =
      typeof list === "object" && list !== null && Array.isArray((list as { variables?: unknown }).variables)
        ? ": got an object with a 'variables' list; pass that list itself, not the whole body"
        : "";
    return resultOf([
      issue(base, CODE, `${baseText} must be an array of {name, type, value, encrypted, scope}${hint}`),
    ]);
  }

  const rules = new RuleIssues();
  if (list.length > MAX_VARIABLES) {
    rules.add(
      "count",
      issue(
        base,
        CODE,
        `${baseText} has ${list.length} items; at most ${MAX_VARIABLES} are allowed per ${options.scope === "action" ? "action" : "tenant"}: remove ${list.length - MAX_VARIABLES}`,
      ),
    );
  }

  const byLowerName = new Map<string, { index: number; name: string }[]>();
  list.forEach((item, index) => {
    const path = [...base, index];
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      rules.add(
        "item",
        issue(path, CODE, `${pathText(path)} must be an object {name, type, value, encrypted, scope}`),
      );
      return;
    }
    const v = item as Record<string, unknown>;
    checkName(v.name, path, rules);
    const label = typeof v.name === "string" ? `'${shownText(v.name)}'` : pathText(path);
    if (typeof v.name === "string" && v.name !== "") {
      const lower = v.name.toLowerCase();
      const seen = byLowerName.get(lower);
      if (seen) seen.push({ index, name: v.name });
      else byLowerName.set(lower, [{ index, name: v.name }]);
    }

    for (const key of Object.keys(v)) {
      if (!KNOWN_FIELDS.has(key)) {
        rules.add(
          "field",
          issue(
            [...path, key],
            CODE,
            `${label} has unknown field '${shownText(key)}'; the fields are name, type, value, encrypted, scope: remove or rename it`,
          ),
        );
      }
    }

    const encrypted = checkEncrypted(v.encrypted, path, label, rules);
    checkScope(v.scope, path, label, options.scope, rules);
    const type = checkType(v.type, path, label, rules);
    checkValue(v.value, type, encrypted, path, label, rules);
  });

  for (const group of byLowerName.values()) {
    if (group.length < 2) continue;
    const where = group.map((g) => `'${shownText(g.name)}' at ${pathText([...base, g.index])}`).join(", ");
    rules.add(
      "collision",
      issue(
        [...base, group[1]!.index],
        "variable-collision",
        `Variable name '${shownText(group[0]!.name)}' is used ${group.length} times (${where}); names must be unique ignoring case: rename or remove the duplicates`,
      ),
    );
  }

  return resultOf(
    rules.flatten(
      base,
      (rest, _rule, first) => `…and ${rest} more items with the same problem as ${first.path}`,
    ),
  );
}

function checkName(name: unknown, path: IssuePath, rules: RuleIssues): void {
  const at = [...path, "name"];
  if (typeof name !== "string" || name === "") {
    rules.add("name", issue(at, CODE, `${pathText(at)} is required: a name like apiBaseUrl`));
    return;
  }
  if (RESERVED_NAMES.has(name)) {
    rules.add(
      "name",
      issue(
        at,
        CODE,
        `Variable name '${name}' is reserved (it clashes with JavaScript object internals); choose another name`,
      ),
    );
    return;
  }
  if (!VARIABLE_NAME_PATTERN.test(name)) {
    const why =
      Array.from(name).length > 64
        ? "is longer than 64 characters"
        : /^[A-Za-z]/.test(name)
          ? "may hold only ASCII letters, digits and '_'"
          : "must start with an ASCII letter (no leading '_' or digit)";
    rules.add(
      "name",
      issue(
        at,
        CODE,
        `Variable name '${shownText(name)}' ${why}; the rule is ^[A-Za-z][A-Za-z0-9_]{0,63}$: rename it`,
      ),
    );
  }
}

function checkEncrypted(encrypted: unknown, path: IssuePath, label: string, rules: RuleIssues): boolean {
  if (encrypted === undefined) return false;
  if (typeof encrypted === "boolean") return encrypted;
  rules.add(
    "encrypted",
    issue([...path, "encrypted"], CODE, `encrypted of ${label} must be true or false (default false)`),
  );
  // Unknown intent: treat as a secret so no message quotes the value.
  return true;
}

function checkScope(
  scope: unknown,
  path: IssuePath,
  label: string,
  level: "action" | "global",
  rules: RuleIssues,
): void {
  if (scope === undefined || scope === level) return;
  const at = [...path, "scope"];
  if (typeof scope === "string" && (VARIABLE_SCOPES as readonly string[]).includes(scope)) {
    const fix =
      level === "action"
        ? "write global variables to /api/v2/variables; 'template' is reserved"
        : "write action variables to /api/v2/dataactions/{id}/variables; 'template' is reserved";
    rules.add(
      "scope",
      issue(
        at,
        "scope-violation",
        `scope of ${label} is '${scope}' but this list is written at ${level} level, so scope must be '${level}': ${fix}`,
      ),
    );
    return;
  }
  rules.add("scope", issue(at, CODE, `scope of ${label} must be '${level}' here (or left out)`));
}

function checkType(
  type: unknown,
  path: IssuePath,
  label: string,
  rules: RuleIssues,
): VariableType | undefined {
  if (typeof type === "string" && (VARIABLE_TYPES as readonly string[]).includes(type)) {
    return type as VariableType;
  }
  const at = [...path, "type"];
  const got =
    type === undefined
      ? "is missing"
      : typeof type === "string"
        ? `'${shownText(type)}' is not accepted`
        : "must be a string";
  const hint = type === "float" || type === "number" ? " (write decimals as a string)" : "";
  rules.add(
    "type",
    issue(at, CODE, `type of ${label} ${got}; accepted types: ${VARIABLE_TYPES.join(", ")}${hint}`),
  );
  return undefined;
}

function checkValue(
  value: unknown,
  type: VariableType | undefined,
  encrypted: boolean,
  path: IssuePath,
  label: string,
  rules: RuleIssues,
): void {
  const at = [...path, "value"];
  if (typeof value !== "string") {
    let fix = "quote it";
    if (
      !encrypted &&
      (typeof value === "number" || typeof value === "boolean") &&
      String(value).length <= 20
    ) {
      fix = `write ${String(value)} as "${String(value)}"`;
    } else if (value === undefined || value === null) {
      fix = "give a value";
    } else if (typeof value === "object") {
      fix = "for type object, write the JSON as text";
    }
    rules.add("value-type", issue(at, CODE, `value of ${label} must be a string; ${fix}`));
    return;
  }
  const bytes = utf8Bytes(value);
  if (bytes > MAX_VARIABLE_VALUE_BYTES) {
    rules.add(
      "value-size",
      issue(
        at,
        CODE,
        `value of ${label} is ${bytes} UTF-8 bytes; the limit is ${MAX_VARIABLE_VALUE_BYTES}: shorten it`,
      ),
    );
    return;
  }
  const problem = type ? valueProblem(type, value) : undefined;
  if (problem) rules.add("value-format", issue(at, CODE, `value of ${label} ${problem}`));
}

/**
 * A value as written in an input file (`cxda.yaml`, `vars set -f`, `overrides set -f`) → the text the
 * API stores: numbers and booleans as their text (`3` → `"3"`), a mapping as JSON text (for type
 * object). One rule for every file, so `value: 3` means the same everywhere; anything else is left
 * for the validator to refuse. JSON request bodies are not input files: there a value must be a string.
 */
export function inputValueText(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return JSON.stringify(value);
  return value;
}

/** What is wrong with a value for its type, or undefined when it fits. */
function valueProblem(type: VariableType, value: string): string | undefined {
  switch (type) {
    case "string":
      return undefined;
    case "integer":
      if (!/^-?(0|[1-9][0-9]*)$/.test(value)) {
        return "is not a decimal integer (digits with an optional '-', no leading zeros, spaces or decimals)";
      }
      return Number.isSafeInteger(Number(value))
        ? undefined
        : `is outside the safe integer range ±${Number.MAX_SAFE_INTEGER}; use type string for larger numbers`;
    case "boolean":
      return value === "true" || value === "false"
        ? undefined
        : "must be exactly 'true' or 'false' for type boolean";
    case "object": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        // The parser's message quotes the input, so it is not passed on.
        return 'is not valid JSON; type object needs JSON object text like {"key": 1}';
      }
      return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
        ? undefined
        : `is JSON ${parsed === null ? "null" : Array.isArray(parsed) ? "array" : typeof parsed}, not an object; type object needs {…}`;
    }
  }
}
