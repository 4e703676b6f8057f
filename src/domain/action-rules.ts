/**
 * The rules for an action payload, shared by the SDK (before sending) and the emulator (on
 * POST, PUT and the merged result of a PATCH), so both give the same messages. Pure; never throws on
 * bad input; reports every problem at once, each message naming the field, the rule and the fix.
 * Existence of dependencies and cycles need the tenant's graph: the caller checks them
 * (dependency-graph.ts).
 */
import {
  ACTION_NAME_PATTERN,
  ACTION_TYPES,
  HTTP_METHODS,
  MAX_DEPENDENCIES,
  MAX_DESCRIPTION_CHARS,
  MAX_SCRIPT_BYTES,
  MAX_URL_TEMPLATE_CHARS,
  SCRIPT_LANGUAGES,
  SERVER_FIELDS,
  TRIGGER_TYPES,
  URL_TEMPLATE_PATTERN,
} from "./action-schema.js";
import { validateDateProcessing } from "./datetime.js";
import { findControlChars, validateHeaders } from "./headers.js";
import { findMainFunction, parseScript } from "./script-syntax.js";
import {
  type IssuePath,
  issue,
  pathText,
  resultOf,
  utf8Bytes,
  type ValidationIssue,
  type ValidationResult,
} from "./validation-result.js";

export {
  ACTION_NAME_PATTERN,
  MAX_DEPENDENCIES,
  MAX_DESCRIPTION_CHARS,
  MAX_SCRIPT_BYTES,
} from "./action-schema.js";

const FAILED = "validation-failed";
/** At most this many characters of user input are echoed in a message. */
const ECHO_CHARS = 40;
/** Past this many unknown keys in one object, the rest are summed up in one issue. */
const MAX_KEY_ISSUES = 10;

const TOP_LEVEL_KEYS = new Set([
  "name",
  "description",
  "type",
  "enabled",
  "trigger",
  "script",
  "config",
  "dependencies",
  "locked",
  "version",
]);

type Json = Record<string, unknown>;

/** User text for a message: JSON-quoted, cut to ECHO_CHARS characters. */
export function quote(text: string): string {
  const head = Array.from(text.slice(0, ECHO_CHARS * 2))
    .slice(0, ECHO_CHARS)
    .join("");
  return head.length < text.length ? `${JSON.stringify(head)}…` : JSON.stringify(text);
}

/** The JSON type of a value, as messages name it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeIssue(path: IssuePath, expected: string, value: unknown): ValidationIssue {
  return issue(
    path,
    FAILED,
    `${pathText(path)}: expected ${expected}, got ${jsonTypeOf(value)}; send ${expected}`,
  );
}

function unknownKeyIssues(object: Json, base: IssuePath, allowed: ReadonlySet<string>): ValidationIssue[] {
  const unknown = Object.keys(object).filter((key) => !allowed.has(key));
  const where = base.length === 0 ? "the action" : pathText(base);
  const issues = unknown.slice(0, MAX_KEY_ISSUES).map((key) => {
    const path = [...base, key];
    if (base.length === 0 && (SERVER_FIELDS as readonly string[]).includes(key)) {
      return issue(
        path,
        FAILED,
        `${key}: is set by the server and cannot be edited; remove it from the payload`,
      );
    }
    return issue(
      path,
      FAILED,
      `${quote(key)}: unknown field in ${where}; remove it (allowed: ${[...allowed].join(", ")})`,
    );
  });
  if (unknown.length > MAX_KEY_ISSUES) {
    issues.push(
      issue(base, FAILED, `${where}: ${unknown.length - MAX_KEY_ISSUES} more unknown fields; remove them`),
    );
  }
  return issues;
}

/** Why `name` is not a valid action name (one issue however long it is), or undefined when it is. */
export function actionNameProblem(name: string): string | undefined {
  if (ACTION_NAME_PATTERN.test(name)) return undefined;
  const allowed = "use 3–64 characters from A–Z, a–z, 0–9, '_' and '-'";
  if (name.length < 3) return `is ${name.length} characters long, the minimum is 3; ${allowed}`;
  if (name.length > 64) return `is ${name.length} characters long, the maximum is 64; ${allowed}`;
  const bad = name.search(/[^A-Za-z0-9_-]/);
  const ch = String.fromCodePoint(name.codePointAt(bad) ?? 0);
  return `contains ${JSON.stringify(ch)} at position ${bad + 1}, which is not allowed; ${allowed}`;
}

function checkName(payload: Json, issues: ValidationIssue[]): string | undefined {
  if (!("name" in payload) || payload.name === undefined) {
    issues.push(
      issue(["name"], FAILED, 'name: is required; give the action a name such as "lead_enrichment"'),
    );
    return undefined;
  }
  const name = payload.name;
  if (typeof name !== "string") {
    issues.push(typeIssue(["name"], "a string", name));
    return undefined;
  }
  const problem = actionNameProblem(name);
  if (problem) {
    issues.push(issue(["name"], FAILED, `name ${quote(name)} ${problem}`));
    return undefined;
  }
  return name;
}

function checkType(payload: Json, issues: ValidationIssue[]): string | undefined {
  const type = payload.type;
  const allowed = ACTION_TYPES.join(" or ");
  if (type === undefined) {
    issues.push(issue(["type"], FAILED, `type: is required; set it to ${allowed}`));
    return undefined;
  }
  if (typeof type !== "string") {
    issues.push(typeIssue(["type"], `a string (${allowed})`, type));
    return undefined;
  }
  if (!(ACTION_TYPES as readonly string[]).includes(type)) {
    issues.push(issue(["type"], FAILED, `type: ${quote(type)} is not an action type; use ${allowed}`));
    return undefined;
  }
  return type;
}

function checkSimpleFields(payload: Json, issues: ValidationIssue[]): void {
  const { description, enabled, locked, version } = payload;
  if (description !== undefined) {
    if (typeof description !== "string") issues.push(typeIssue(["description"], "a string", description));
    else if (description.length > MAX_DESCRIPTION_CHARS) {
      issues.push(
        issue(
          ["description"],
          FAILED,
          `description: is ${description.length} characters long, the maximum is ${MAX_DESCRIPTION_CHARS}; shorten it`,
        ),
      );
    }
  }
  if (enabled !== undefined && typeof enabled !== "boolean")
    issues.push(typeIssue(["enabled"], "a boolean", enabled));
  if (locked !== undefined && typeof locked !== "boolean")
    issues.push(typeIssue(["locked"], "a boolean", locked));
  if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 1)) {
    issues.push(
      issue(
        ["version"],
        FAILED,
        `version: must be the integer version (≥ 1) the write is based on, got ${typeof version === "number" ? String(version) : jsonTypeOf(version)}; send the version you read or omit it`,
      ),
    );
  }
}

function checkTrigger(payload: Json, issues: ValidationIssue[]): void {
  const trigger = payload.trigger;
  if (trigger === undefined) return; // absent = MANUAL
  if (!isObject(trigger)) {
    issues.push(typeIssue(["trigger"], 'an object such as {"type":"MANUAL"}', trigger));
    return;
  }
  issues.push(...unknownKeyIssues(trigger, ["trigger"], new Set(["type"])));
  const type = trigger.type;
  if (typeof type !== "string" || !(TRIGGER_TYPES as readonly string[]).includes(type)) {
    const got = typeof type === "string" ? quote(type) : jsonTypeOf(type);
    issues.push(
      issue(["trigger", "type"], FAILED, `trigger.type: must be "MANUAL", got ${got}; set it to "MANUAL"`),
    );
  }
}

/** The rules for `script`: language, size (checked before parsing), syntax, `main`. */
export function validateScript(script: unknown, path: IssuePath = ["script"]): ValidationIssue[] {
  if (!isObject(script))
    return [typeIssue(path, 'an object {"language":"JavaScript","content":"…"}', script)];
  const issues = unknownKeyIssues(script, path, new Set(["language", "content"]));
  const language = script.language;
  if (language !== "JavaScript") {
    const got = typeof language === "string" ? quote(language) : jsonTypeOf(language);
    issues.push(
      issue(
        [...path, "language"],
        FAILED,
        `${pathText([...path, "language"])}: must be ${SCRIPT_LANGUAGES.map((l) => `"${l}"`).join(" or ")}, got ${got}; set it to "JavaScript"`,
      ),
    );
  }
  const contentPath = [...path, "content"];
  const content = script.content;
  if (typeof content !== "string") {
    issues.push(typeIssue(contentPath, "a string holding the script", content));
    return issues;
  }
  // UTF-8 needs at least one byte per UTF-16 unit, so a long string is refused before it is measured.
  const bytes = content.length > MAX_SCRIPT_BYTES ? undefined : utf8Bytes(content);
  if (bytes === undefined || bytes > MAX_SCRIPT_BYTES) {
    const size = bytes === undefined ? `at least ${content.length} bytes` : `${bytes} bytes`;
    issues.push(
      issue(
        contentPath,
        FAILED,
        `${pathText(contentPath)}: is ${size} of UTF-8, the maximum is ${MAX_SCRIPT_BYTES}; shorten the script or split it into dependent actions`,
      ),
    );
    return issues;
  }
  const parsed = parseScript(content, contentPath);
  if (!parsed.ok) issues.push(parsed.issue);
  else issues.push(...findMainFunction(parsed.program, contentPath));
  return issues;
}

function checkRequest(request: unknown, path: IssuePath, issues: ValidationIssue[]): void {
  if (!isObject(request)) {
    issues.push(typeIssue(path, 'an object {"method":"GET","urlTemplate":"https://…"}', request));
    return;
  }
  issues.push(...unknownKeyIssues(request, path, new Set(["method", "urlTemplate"])));
  const { method, urlTemplate } = request;
  const methodPath = [...path, "method"];
  const urlPath = [...path, "urlTemplate"];
  if (typeof method !== "string" || !(HTTP_METHODS as readonly string[]).includes(method)) {
    const got = typeof method === "string" ? quote(method) : jsonTypeOf(method);
    issues.push(
      issue(
        methodPath,
        FAILED,
        `${pathText(methodPath)}: must be one of ${HTTP_METHODS.join(", ")}, got ${got}`,
      ),
    );
  }
  const controls = typeof urlTemplate === "string" ? findControlChars(urlTemplate) : [];
  if (typeof urlTemplate !== "string") {
    issues.push(typeIssue(urlPath, "an absolute http(s) URL string", urlTemplate));
  } else if (controls.length > 0) {
    // The same rule as a header value: a control character would be sent on the request line.
    issues.push(
      issue(
        urlPath,
        FAILED,
        `${pathText(urlPath)}: ${quote(urlTemplate)} holds ${controls.slice(0, 5).join(", ")}${controls.length > 5 ? ` and ${controls.length - 5} more` : ""}; control characters are not allowed in a URL, remove them (percent-encode data, e.g. %0A)`,
      ),
    );
  } else if (urlTemplate.length > MAX_URL_TEMPLATE_CHARS || !URL_TEMPLATE_PATTERN.test(urlTemplate)) {
    issues.push(
      issue(
        urlPath,
        FAILED,
        `${pathText(urlPath)}: ${quote(urlTemplate)} is not an absolute http:// or https:// URL without spaces of at most ${MAX_URL_TEMPLATE_CHARS} characters; write it like "https://api.example.com/leads/{id}"`,
      ),
    );
  }
}

function checkHeaders(headers: unknown, path: IssuePath, issues: ValidationIssue[]): void {
  if (headers === null || headers === undefined) return;
  if (!isObject(headers)) {
    issues.push(typeIssue(path, "an object of header name → string value", headers));
    return;
  }
  // A null value removes a header in a write, so the rules apply to the rest.
  const matrix = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== null));
  issues.push(...validateHeaders(matrix, path).issues);
}

/**
 * `config` of a payload. Its request, headers and dateProcessing are reported under `configPath`
 * (`["config"]` for the API; a project file writes them at the action's top level, so it passes `[]`).
 */
function checkConfig(
  payload: Json,
  type: string | undefined,
  configPath: IssuePath,
  issues: ValidationIssue[],
): void {
  const config = payload.config;
  if (config !== undefined && config !== null && !isObject(config)) {
    issues.push(typeIssue(["config"], "an object", config));
    return;
  }
  const requestPath = [...configPath, "request"];
  const request = isObject(config) ? config.request : undefined;
  if (isObject(config)) {
    issues.push(...unknownKeyIssues(config, ["config"], new Set(["request", "headers", "dateProcessing"])));
    const dateProcessing = config.dateProcessing;
    const datePath = [...configPath, "dateProcessing"];
    if (dateProcessing !== undefined && dateProcessing !== null && !isObject(dateProcessing)) {
      issues.push(typeIssue(datePath, "an object or null", dateProcessing));
    } else {
      // Date processing (docs/datetime.md): same instant in computedValue and computedUtc, a known zone, a matching recomputation.
      issues.push(...validateDateProcessing(dateProcessing, datePath).issues);
    }
    checkHeaders(config.headers, [...configPath, "headers"], issues);
  }
  if (request !== undefined && request !== null) checkRequest(request, requestPath, issues);
  else if (type === "HTTP") {
    issues.push(
      issue(
        requestPath,
        FAILED,
        `${pathText(requestPath)}: an HTTP action needs a request; add {"method":"GET","urlTemplate":"https://…"}`,
      ),
    );
  }
}

/**
 * The shape rules for a dependency list: at most MAX_DEPENDENCIES valid action names, no duplicates,
 * not the action itself. A list over the maximum gets one issue, not one per item.
 */
export function validateDependencyNames(dependencies: unknown, ownName?: string): ValidationIssue[] {
  const path = ["dependencies"];
  if (!Array.isArray(dependencies)) return [typeIssue(path, "an array of action names", dependencies)];
  if (dependencies.length > MAX_DEPENDENCIES) {
    return [
      issue(
        path,
        FAILED,
        `dependencies: lists ${dependencies.length} actions, the maximum is ${MAX_DEPENDENCIES}; depend on fewer actions`,
      ),
    ];
  }
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  dependencies.forEach((dep: unknown, i) => {
    const at = [...path, i];
    const where = pathText(at);
    if (typeof dep !== "string") {
      issues.push(typeIssue(at, "an action name string", dep));
      return;
    }
    const problem = actionNameProblem(dep);
    if (problem) {
      issues.push(issue(at, FAILED, `${where}: ${quote(dep)} is not a valid action name: it ${problem}`));
      return;
    }
    const first = seen.get(dep);
    if (first !== undefined) {
      issues.push(
        issue(
          at,
          FAILED,
          `${where}: ${quote(dep)} is already listed at ${pathText([...path, first])}; remove the duplicate`,
        ),
      );
      return;
    }
    seen.set(dep, i);
    if (dep === ownName) {
      issues.push(
        issue(
          at,
          "dependency-cycle",
          `${where}: an action cannot depend on itself (${dep} → ${dep}); remove it`,
        ),
      );
    }
  });
  return issues;
}

export interface ValidateActionOptions {
  /**
   * Where `config`'s request, headers and dateProcessing are reported: `["config"]` (the API's
   * payload, the default) or `[]` (a project file, which writes them at the action's top level).
   */
  configPath?: IssuePath;
}

/**
 * Every action rule for a complete editable payload (POST, PUT, or a PATCH merged into the stored
 * action). Existence of dependencies and cycles through other actions are left to the caller.
 */
export function validateActionPayload(
  payload: unknown,
  options: ValidateActionOptions = {},
): ValidationResult {
  if (!isObject(payload)) {
    return resultOf([
      issue(
        [],
        FAILED,
        `the action must be a JSON object, got ${jsonTypeOf(payload)}; send {"name":…,"type":…}`,
      ),
    ]);
  }
  const issues: ValidationIssue[] = [];
  issues.push(...unknownKeyIssues(payload, [], TOP_LEVEL_KEYS));
  const name = checkName(payload, issues);
  const type = checkType(payload, issues);
  checkSimpleFields(payload, issues);
  checkTrigger(payload, issues);
  const script = payload.script;
  if (script !== undefined && script !== null) issues.push(...validateScript(script));
  else if (type === "SCRIPT") {
    issues.push(
      issue(
        ["script"],
        FAILED,
        'script: a SCRIPT action needs a script; add {"language":"JavaScript","content":"function main(context) { … }"}',
      ),
    );
  }
  checkConfig(payload, type, options.configPath ?? ["config"], issues);
  if (payload.dependencies !== undefined) issues.push(...validateDependencyNames(payload.dependencies, name));
  return resultOf(issues);
}
