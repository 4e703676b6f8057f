/**
 * Per-environment variable overrides: the rules shared by the SDK and the emulator.
 * Lengths and positions count Unicode code points; positions are 1-based (`rm -rf /;` → ';' at position 9).
 * Messages never quote a value; they may name a forbidden character and where it is.
 */
import { RuleIssues } from "./bounded-issues.js";
import {
  type IssuePath,
  issue,
  pathText,
  resultOf,
  shownText,
  type ValidationResult,
} from "./validation-result.js";

export const OVERRIDE_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const MAX_OVERRIDE_VALUE_CHARS = 1024;
export const MIN_MASKED_VALUE_CHARS = 8;
export const MAX_OVERRIDES_PER_ENVIRONMENT = 50;
/** Characters a shell would interpret; refused in values. */
export const SHELL_METACHARACTERS: readonly string[] = Object.freeze([
  ";",
  "|",
  "&",
  "$",
  "`",
  "\\",
  "'",
  '"',
]);
/** What a masked value reads as in API responses. */
export const MASKED_PLACEHOLDER = "***";

/** One override as written. */
export interface OverrideVariable {
  name: string;
  value: string;
  masked?: boolean;
  description?: string;
}

/** One override as the API returns it: masked values read `"***"`. */
export interface StoredOverride {
  name: string;
  value: string;
  masked: boolean;
  description?: string;
  fingerprint?: string;
}

/** A PUT or PATCH body: `variables` upserted (PATCH) or the whole set (PUT), `remove` deleted (PATCH). */
export interface OverridePayload {
  variables: OverrideVariable[];
  remove?: string[];
  version?: number;
}

export interface ValidateOverridesOptions {
  /** Environment ids that exist; when given, `environmentId` must be one of them. */
  knownEnvironments?: string[];
  /** The environment written to; defaults to the payload's own `environmentId` if it has one. */
  environmentId?: string;
  /**
   * Names already stored in that environment, for a PATCH: the 50-per-environment cap is then checked on
   * the resulting set (existing + upserted − removed) rather than on the payload alone.
   */
  existingNames?: string[];
  /** Where the list of overrides sits, for issue paths; default `["variables"]`. */
  listPath?: IssuePath;
}

const CODE = "validation-failed";
const KNOWN_FIELDS = new Set(["name", "value", "masked", "description"]);
const METACHARACTERS = new Set(SHELL_METACHARACTERS);
const MAX_SHOWN_POSITIONS = 10;

/**
 * Checks an override payload and reports every problem at once. Accepts `{variables, remove?, version?}`
 * or a bare array (taken as `{variables: array}`). Other top-level fields (`environmentId`, `actionId`) are
 * left alone. An unknown environment is reported with code `not-found` (the API answers 404 for it).
 */
export function validateOverrides(
  payload: unknown,
  options: ValidateOverridesOptions = {},
): ValidationResult {
  const rules = new RuleIssues();
  const body: Record<string, unknown> | undefined = Array.isArray(payload)
    ? { variables: payload }
    : typeof payload === "object" && payload !== null
      ? (payload as Record<string, unknown>)
      : undefined;
  if (!body) {
    return resultOf([
      issue(
        [],
        CODE,
        "The overrides must be an object {variables: [...], remove?: [...]} or an array of variables",
      ),
    ]);
  }

  const environmentId =
    options.environmentId ?? (typeof body.environmentId === "string" ? body.environmentId : undefined);
  if (
    options.knownEnvironments &&
    environmentId !== undefined &&
    !options.knownEnvironments.includes(environmentId)
  ) {
    rules.add(
      "environment",
      issue(
        ["environmentId"],
        "not-found",
        `Environment '${shownText(environmentId)}' is unknown; known environments: ${options.knownEnvironments.join(", ") || "(none)"}`,
      ),
    );
  }

  const listPath = options.listPath ?? ["variables"];
  const variables = body.variables ?? [];
  const setNames = new Map<string, number[]>();
  if (!Array.isArray(variables)) {
    rules.add(
      "shape",
      issue(listPath, CODE, `${pathText(listPath)} must be an array of {name, value, masked?, description?}`),
    );
  } else {
    variables.forEach((item, index) => {
      const name = checkItem(item, [...listPath, index], rules);
      if (name !== undefined) {
        const seen = setNames.get(name);
        if (seen) seen.push(index);
        else setNames.set(name, [index]);
      }
    });
    for (const [name, indexes] of setNames) {
      if (indexes.length < 2) continue;
      rules.add(
        "duplicate",
        issue(
          [...listPath, indexes[1]!],
          "variable-collision",
          `Override '${shownText(name)}' appears ${indexes.length} times (${indexes.map((i) => pathText([...listPath, i])).join(", ")}); give each name once`,
        ),
      );
    }
  }

  const removed = checkRemove(body.remove, setNames, rules);
  checkCount(
    Array.isArray(variables) ? variables.length : 0,
    setNames,
    removed,
    { ...options, listPath },
    environmentId,
    rules,
  );
  if (body.version !== undefined && !(Number.isSafeInteger(body.version) && (body.version as number) >= 1)) {
    rules.add(
      "version",
      issue(["version"], CODE, "version must be the positive integer read with GET, or left out"),
    );
  }
  return resultOf(
    rules.flatten(
      listPath,
      (rest, _rule, first) => `…and ${rest} more with the same problem as ${first.path}`,
    ),
  );
}

/** Checks one item; returns its name when it is a string, for duplicate detection. */
function checkItem(item: unknown, path: IssuePath, rules: RuleIssues): string | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    rules.add(
      "item",
      issue(path, CODE, `${pathText(path)} must be an object {name, value, masked?, description?}`),
    );
    return undefined;
  }
  const v = item as Record<string, unknown>;
  const name = typeof v.name === "string" ? v.name : undefined;
  const label = name !== undefined ? `'${shownText(name)}'` : pathText(path);

  if (name === undefined || name === "") {
    rules.add(
      "name",
      issue([...path, "name"], CODE, `${pathText([...path, "name"])} is required: a name like API_URL`),
    );
  } else if (!OVERRIDE_NAME_PATTERN.test(name)) {
    const upper = name.toUpperCase();
    const fix = OVERRIDE_NAME_PATTERN.test(upper) ? `write '${upper}'` : "rename it";
    rules.add(
      "name",
      issue(
        [...path, "name"],
        CODE,
        `Override name ${label} must match ^[A-Z_][A-Z0-9_]*$ (upper-case letters, digits and '_', not starting with a digit): ${fix}`,
      ),
    );
  }

  for (const key of Object.keys(v)) {
    if (!KNOWN_FIELDS.has(key)) {
      rules.add(
        "field",
        issue(
          [...path, key],
          CODE,
          `${label} has unknown field '${shownText(key)}'; the fields are name, value, masked, description: remove or rename it`,
        ),
      );
    }
  }

  let masked = false;
  if (v.masked !== undefined && typeof v.masked !== "boolean") {
    rules.add(
      "masked",
      issue([...path, "masked"], CODE, `masked of ${label} must be true or false (default false)`),
    );
    masked = true; // unknown intent: treat the value as a secret
  } else if (v.masked === true) {
    masked = true;
  }

  if (v.description !== undefined && v.description !== null && typeof v.description !== "string") {
    rules.add(
      "description",
      issue([...path, "description"], CODE, `description of ${label} must be a string`),
    );
  }

  checkValue(v.value, masked, [...path, "value"], label, rules);
  return name;
}

function checkValue(
  value: unknown,
  masked: boolean,
  path: IssuePath,
  label: string,
  rules: RuleIssues,
): void {
  if (typeof value !== "string") {
    rules.add("value-type", issue(path, CODE, `value of ${label} must be a string; quote it`));
    return;
  }
  const chars = Array.from(value);
  if (chars.length > MAX_OVERRIDE_VALUE_CHARS) {
    rules.add(
      "value-length",
      issue(
        path,
        CODE,
        `value of ${label} has ${chars.length} characters; the limit is ${MAX_OVERRIDE_VALUE_CHARS}: shorten it`,
      ),
    );
  }
  const found: string[] = [];
  chars.forEach((c, i) => {
    if (METACHARACTERS.has(c)) found.push(`'${c}' at position ${i + 1}`);
  });
  if (found.length > 0) {
    const head = found.slice(0, MAX_SHOWN_POSITIONS).join(", ");
    const more = found.length > MAX_SHOWN_POSITIONS ? ` and ${found.length - MAX_SHOWN_POSITIONS} more` : "";
    rules.add(
      "value-metachar",
      issue(
        path,
        CODE,
        `value of ${label} contains shell metacharacters ${head}${more}; values may not hold ${SHELL_METACHARACTERS.join(" ")}: remove them`,
      ),
    );
  }
  if (masked && value === MASKED_PLACEHOLDER) {
    rules.add(
      "value-masked",
      issue(
        path,
        CODE,
        `value of ${label} is the placeholder '***' the API shows for masked values; send the real secret, or leave the variable out of a PATCH to keep it`,
      ),
    );
  } else if (masked && chars.length < MIN_MASKED_VALUE_CHARS) {
    rules.add(
      "value-masked",
      issue(
        path,
        CODE,
        `masked value of ${label} is shorter than ${MIN_MASKED_VALUE_CHARS} characters; use a longer secret or set masked: false`,
      ),
    );
  }
}

function checkRemove(remove: unknown, setNames: Map<string, number[]>, rules: RuleIssues): Set<string> {
  const removed = new Set<string>();
  if (remove === undefined) return removed;
  if (!Array.isArray(remove)) {
    rules.add("remove", issue(["remove"], CODE, "remove must be an array of override names"));
    return removed;
  }
  remove.forEach((name, index) => {
    const path = ["remove", index];
    if (typeof name !== "string" || !OVERRIDE_NAME_PATTERN.test(name)) {
      rules.add(
        "remove",
        issue(path, CODE, `${pathText(path)} must be an override name matching ^[A-Z_][A-Z0-9_]*$`),
      );
      return;
    }
    removed.add(name);
    if (setNames.has(name)) {
      rules.add(
        "remove-conflict",
        issue(
          path,
          CODE,
          `'${name}' is both set in variables and listed in remove; keep only one of the two`,
        ),
      );
    }
  });
  return removed;
}

function checkCount(
  itemCount: number,
  setNames: Map<string, number[]>,
  removed: Set<string>,
  options: ValidateOverridesOptions,
  environmentId: string | undefined,
  rules: RuleIssues,
): void {
  const where = environmentId !== undefined ? `environment '${shownText(environmentId)}'` : "an environment";
  if (options.existingNames) {
    const result = new Set(options.existingNames);
    for (const name of setNames.keys()) result.add(name);
    for (const name of removed) result.delete(name);
    if (result.size > MAX_OVERRIDES_PER_ENVIRONMENT) {
      rules.add(
        "count",
        issue(
          options.listPath ?? ["variables"],
          CODE,
          `This change would leave ${result.size} overrides in ${where}; at most ${MAX_OVERRIDES_PER_ENVIRONMENT} are allowed: remove ${result.size - MAX_OVERRIDES_PER_ENVIRONMENT}`,
        ),
      );
    }
    return;
  }
  if (itemCount > MAX_OVERRIDES_PER_ENVIRONMENT) {
    rules.add(
      "count",
      issue(
        options.listPath ?? ["variables"],
        CODE,
        `${pathText(options.listPath ?? ["variables"])} has ${itemCount} items; at most ${MAX_OVERRIDES_PER_ENVIRONMENT} overrides are allowed in ${where}: remove ${itemCount - MAX_OVERRIDES_PER_ENVIRONMENT}`,
      ),
    );
  }
}
