/**
 * `cxda export` (issue 9): the live tenant as a `cxda.yaml` plus one script file per SCRIPT
 * action, read with `expand` and complete pagination (⌈N/100⌉ list requests, then one for the
 * environments and one for the global variables). Secrets never reach the files: encrypted variables,
 * masked overrides and credential-like header values become `${env:CXDA_SECRET_…}` placeholders, listed
 * for the user to set. Anything the format cannot hold is reported, never skipped silently.
 */
import { stringify } from "yaml";
import type { CxdaClient } from "../client/types.js";
import { ACTION_NAME_PATTERN, ACTION_TYPES } from "../domain/action-schema.js";
import { isCredentialHeader } from "../domain/credential-header.js";
import { hasPlaceholder, splitPlaceholders } from "../domain/placeholders.js";
import type { LiveAction, LiveState } from "./live-state.js";
import { API_VERSION, SCHEMA_FILE_NAME } from "./project-schema.js";
import { readLiveState } from "./read-live-state.js";

export interface ExportSecret {
  /** The environment variable the placeholder reads. */
  env: string;
  action: string;
  kind: "variable" | "override" | "header";
  name: string;
  /** For overrides: the environment id. */
  environment?: string;
}

/** Something of the tenant the file does not hold (fully or at all), and why. */
export interface ExportReport {
  what: string;
  reason: string;
  /** True when it is not in the file at all. */
  skipped: boolean;
}

export interface ExportedProject {
  /** The text of cxda.yaml. */
  yaml: string;
  /** Script files, paths relative to cxda.yaml. */
  scripts: { path: string; content: string }[];
  secrets: ExportSecret[];
  reports: ExportReport[];
  /** Actions written to the file. */
  actions: string[];
}

export interface ExportContext {
  /** Environment ids of the tenant, in order (`GET /environments`); omitted when unknown. */
  environments?: string[];
  /** Global variables of the tenant: not part of the format, reported by name. */
  globalVariables?: string[];
  /** Notes of the live read (an expansion the server does not offer). */
  notes?: string[];
  /**
   * The project file being exported over, parsed: a secret at a position (header, variable, override)
   * where it already has a placeholder keeps that text, so `Bearer ${env:CRM_API_TOKEN}` is not renamed.
   */
  existing?: unknown;
}

/** The text of a secret position in an existing project file, when it holds a placeholder. */
function existingPlaceholder(
  existing: unknown,
  action: string,
  at: { header: string } | { variable: string } | { override: string; environment: string },
): string | undefined {
  const get = (value: unknown, key: string): unknown =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)[key]
      : undefined;
  const named = (list: unknown, name: string): unknown =>
    Array.isArray(list)
      ? get(
          list.find((item) => get(item, "name") === name),
          "value",
        )
      : undefined;
  const entry = get(get(existing, "actions"), action);
  const value =
    "header" in at
      ? get(get(entry, "headers"), at.header)
      : "variable" in at
        ? named(get(entry, "variables"), at.variable)
        : named(get(get(entry, "overrides"), at.environment), at.override);
  return typeof value === "string" && hasPlaceholder(value) ? value : undefined;
}

/** The `${env:NAME}` names a placeholder text reads. */
function envNames(text: string): string[] {
  return splitPlaceholders(text).flatMap((part) =>
    part.kind === "placeholder" && part.placeholder.kind === "env" ? [part.placeholder.arg] : [],
  );
}

const SUPPORTED_TYPES: readonly string[] = ACTION_TYPES;

/** Pure: the files of an export of `live`. */
export function buildExport(live: LiveState, context: ExportContext = {}): ExportedProject {
  const secrets: ExportSecret[] = [];
  const reports: ExportReport[] = [];
  const usedEnvNames = new Set<string>();
  const scripts: { path: string; content: string }[] = [];
  const actions: Record<string, unknown> = {};
  const exported: string[] = [];

  const kept = (action: string, at: Parameters<typeof existingPlaceholder>[2]): string | undefined =>
    context.existing === undefined ? undefined : existingPlaceholder(context.existing, action, at);
  // Names the existing file uses are never generated for another secret.
  for (const name of existingEnvNames(context.existing)) usedEnvNames.add(name);

  const secretEnv = (parts: string[]): string => {
    const base = ["CXDA_SECRET", ...parts].map(envPart).join("_");
    let name = base;
    for (let n = 2; usedEnvNames.has(name); n++) name = `${base}_${n}`;
    usedEnvNames.add(name);
    return name;
  };

  for (const note of context.notes ?? []) reports.push({ what: "live read", reason: note, skipped: true });
  const exportable = new Set(
    live.actions
      .filter((a) => ACTION_NAME_PATTERN.test(a.name) && SUPPORTED_TYPES.includes(a.type))
      .map((a) => a.name),
  );

  for (const action of live.actions) {
    if (!ACTION_NAME_PATTERN.test(action.name)) {
      reports.push({
        what: `action ${JSON.stringify(action.name)} (${action.id})`,
        reason:
          "its name does not fit cxda.yaml (3–64 characters from A–Z, a–z, 0–9, '_', '-'); not exported",
        skipped: true,
      });
      continue;
    }
    if (!SUPPORTED_TYPES.includes(action.type)) {
      reports.push({
        what: `action ${action.name}`,
        reason: `type ${action.type} is not supported by cxda.yaml (SCRIPT or HTTP); not exported`,
        skipped: true,
      });
      continue;
    }
    const entry = exportAction(action, { secretEnv, secrets, reports, scripts, exportable, kept });
    actions[action.name] = entry;
    exported.push(action.name);
  }
  for (const name of context.globalVariables ?? []) {
    reports.push({
      what: `global variable ${name}`,
      reason: "global variables are not part of cxda.yaml (see cxda vars global get); not exported",
      skipped: true,
    });
  }

  const doc: Record<string, unknown> = { apiVersion: API_VERSION };
  if (context.environments && context.environments.length > 0) doc.environments = context.environments;
  doc.actions = actions;
  const header = [
    `# yaml-language-server: $schema=./${SCHEMA_FILE_NAME}`,
    "#",
    "# Exported by `cxda export` from the live tenant.",
    ...(secrets.length > 0
      ? [
          "# Secrets are placeholders; set these environment variables before cxda plan / apply:",
          ...secrets.map((s) => `#   ${s.env}`),
        ]
      : []),
  ];
  const body = stringify(doc, { lineWidth: 0, indent: 2 });
  return { yaml: `${header.join("\n")}\n${body}`, scripts, secrets, reports, actions: exported };
}

/** Every `${env:NAME}` name anywhere in a parsed project file. */
function existingEnvNames(value: unknown): string[] {
  if (typeof value === "string") return envNames(value);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(existingEnvNames);
  return [];
}

interface ActionExportState {
  secretEnv: (parts: string[]) => string;
  kept: (action: string, at: Parameters<typeof existingPlaceholder>[2]) => string | undefined;
  secrets: ExportSecret[];
  reports: ExportReport[];
  scripts: { path: string; content: string }[];
  exportable: Set<string>;
}

function exportAction(action: LiveAction, s: ActionExportState): Record<string, unknown> {
  const out: Record<string, unknown> = { type: action.type };
  if (action.description !== "") out.description = literal(action.description);
  if (action.script) {
    const path = `scripts/${action.name}.js`;
    s.scripts.push({ path, content: action.script.content });
    out.script = { file: path };
  }
  if (action.request) {
    out.request = { method: action.request.method, urlTemplate: literal(action.request.urlTemplate) };
  }
  if (action.dependencies.length > 0) {
    out.dependencies = [...action.dependencies];
    const missing = action.dependencies.filter((d) => !s.exportable.has(d));
    if (missing.length > 0)
      s.reports.push({
        what: `action ${action.name}`,
        reason: `depends on ${missing.join(", ")}, which could not be exported; cxda validate will name it`,
        skipped: false,
      });
  }
  if (action.locked)
    s.reports.push({
      what: `action ${action.name}`,
      reason:
        "is locked; cxda.yaml has no lock flag, and apply's writes to it are refused until it is unlocked",
      skipped: false,
    });

  const headerNames = Object.keys(action.headers).sort();
  if (headerNames.length > 0) {
    const headers: Record<string, string> = {};
    for (const name of headerNames) {
      if (isCredentialHeader(name, action.headers[name])) {
        const text = s.kept(action.name, { header: name });
        if (text !== undefined) {
          for (const env of envNames(text))
            s.secrets.push({ env, action: action.name, kind: "header", name });
          headers[name] = text;
          continue;
        }
        const env = s.secretEnv([action.name, name]);
        s.secrets.push({ env, action: action.name, kind: "header", name });
        headers[name] = placeholder(env);
      } else headers[name] = literal(action.headers[name]!);
    }
    out.headers = headers;
  }

  if (action.variables && action.variables.length > 0) {
    out.variables = action.variables.map((v) => {
      if (v.encrypted) {
        const text = s.kept(action.name, { variable: v.name });
        if (text !== undefined) {
          for (const env of envNames(text))
            s.secrets.push({ env, action: action.name, kind: "variable", name: v.name });
          return { name: v.name, type: v.type, value: text, encrypted: true };
        }
        const env = s.secretEnv([action.name, v.name]);
        s.secrets.push({ env, action: action.name, kind: "variable", name: v.name });
        return { name: v.name, type: v.type, value: placeholder(env), encrypted: true };
      }
      return { name: v.name, type: v.type, value: variableValue(v.type, v.value ?? "") };
    });
  }

  const envs = Object.keys(action.overrides ?? {})
    .filter((env) => (action.overrides?.[env] ?? []).length > 0)
    .sort();
  if (envs.length > 0) {
    const overrides: Record<string, unknown[]> = {};
    for (const env of envs) {
      overrides[env] = action.overrides![env]!.map((o) => {
        const item: Record<string, unknown> = { name: o.name };
        const text = o.masked ? s.kept(action.name, { override: o.name, environment: env }) : undefined;
        if (text !== undefined) {
          for (const variable of envNames(text))
            s.secrets.push({
              env: variable,
              action: action.name,
              kind: "override",
              name: o.name,
              environment: env,
            });
          item.value = text;
          item.masked = true;
        } else if (o.masked) {
          const variable = s.secretEnv([action.name, env, o.name]);
          s.secrets.push({
            env: variable,
            action: action.name,
            kind: "override",
            name: o.name,
            environment: env,
          });
          item.value = placeholder(variable);
          item.masked = true;
        } else item.value = literal(o.value ?? "");
        if (o.description !== "") item.description = literal(o.description);
        return item;
      });
    }
    out.overrides = overrides;
  }

  if (action.dateProcessing) {
    const d = action.dateProcessing;
    out.dateProcessing = {
      sourceField: d.sourceField,
      targetField: d.targetField,
      sourceTimestamp: d.sourceTimestamp,
      operation: d.operation,
      offsetMinutes: d.offsetMinutes,
      timezone: d.timezone,
      precision: d.precision,
    };
  }
  return out;
}

/** Typed values as YAML scalars where that round-trips exactly; anything else stays text. */
function variableValue(type: string, value: string): unknown {
  if (type === "integer" && /^-?\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n) && String(n) === value) return n;
  }
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  if (type === "object") {
    try {
      const parsed: unknown = JSON.parse(value);
      // A mapping is written as JSON again by cxda; the planner compares objects as JSON (key order free).
      if (
        parsed !== null &&
        typeof parsed === "object" &&
        !Array.isArray(parsed) &&
        !hasPlaceholderText(parsed)
      )
        return parsed;
    } catch {
      // not JSON: kept as text, validate will say why
    }
  }
  return literal(value);
}

function hasPlaceholderText(value: unknown): boolean {
  return JSON.stringify(value).includes("${");
}

/** The opening of a placeholder. */
const PLACEHOLDER_OPEN = "${";

/** A value written as is: a `${` in it is escaped as `$${` (placeholders.ts), so nothing is substituted. */
function literal(text: string): string {
  return text.split(PLACEHOLDER_OPEN).join(`$${PLACEHOLDER_OPEN}`);
}

function placeholder(env: string): string {
  return `${PLACEHOLDER_OPEN}env:${env}}`;
}

function envPart(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
}

export interface ExportRead extends ExportedProject {
  /** API requests the read took. */
  requests: number;
  /** Actions in the tenant. */
  tenantActions: number;
}

/** Reads the tenant and builds the export (no files written). */
export async function exportProject(
  client: CxdaClient,
  options: Pick<ExportContext, "existing"> = {},
): Promise<ExportRead> {
  const before = client.metrics().requests;
  const { live, notes } = await readLiveState(client);
  const environments = (await client.environments.list()).body;
  const globals = (await client.globalVariables.get()).body;
  const exported = buildExport(live, {
    environments: [...environments].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)).map((e) => e.id),
    globalVariables: (globals.variables ?? []).map((v) => v.name),
    notes,
    ...options,
  });
  return { ...exported, requests: client.metrics().requests - before, tenantActions: live.actions.length };
}
