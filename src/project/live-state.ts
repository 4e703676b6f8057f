/**
 * The live state of a tenant as the planner compares it: what `GET /dataactions?expand=variables,
 * environments&pageSize=100` returns, normalised to the fields a `cxda.yaml` can set.
 * Fields the server adds (timestamps, key ids, computed dates, sub-resource versions) are dropped
 * here, so they can never show as drift; `id`, `version` and secrets' fingerprints are kept only to
 * write with and to detect a changed tenant, and the planner never compares them.
 */
import type { DesiredDateProcessing } from "./desired-state.js";

export interface LiveVariable {
  name: string;
  type: string;
  /** null for an encrypted variable: the API never returns it. */
  value: string | null;
  encrypted: boolean;
  /** Server-computed; never compared, kept so a rewritten secret changes the live digest. */
  fingerprint?: string;
}

export interface LiveOverride {
  name: string;
  /** null for a masked override: the API returns `***`. */
  value: string | null;
  masked: boolean;
  description: string;
  /** Server-computed; never compared, kept so a rewritten secret changes the live digest. */
  fingerprint?: string;
}

export interface LiveAction {
  /** Server fields, kept to address writes; never compared. */
  id: string;
  version: number;
  locked: boolean;
  name: string;
  type: string;
  description: string;
  script: { language: string; content: string } | null;
  request: { method: string; urlTemplate: string } | null;
  dependencies: string[];
  headers: Record<string, string>;
  dateProcessing: DesiredDateProcessing | null;
  /** Undefined when the variables were not read. */
  variables?: LiveVariable[];
  /** Per environment id; undefined when the overrides were not read. */
  overrides?: Record<string, LiveOverride[]>;
}

export interface LiveState {
  actions: LiveAction[];
  /** The tenant revision the state was read at (a snapshot's); absent from a per-resource read. */
  revision?: number;
  /** Which sub-resources the read embedded (`expand`); a sub-resource not read is never planned as drift. */
  read: { variables: boolean; overrides: boolean };
}

type Json = Record<string, unknown>;

/**
 * Normalises the resources of a list read. `expanded` says which expansions were asked for: an action
 * without the embedded field then has none of that sub-resource. The embedded shapes accepted are
 * `variables: [...]` or `{variables: [...]}`, and `environments` as a list of `{environmentId|id,
 * variables}` or a map of environment id → list or `{variables}`.
 */
export function normalizeLiveActions(
  resources: readonly unknown[],
  expanded: { variables: boolean; overrides: boolean },
): LiveState {
  const actions = resources.filter(isRecord).map((r) => normalizeAction(r, expanded));
  actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { actions, read: { ...expanded } };
}

function normalizeAction(r: Json, expanded: { variables: boolean; overrides: boolean }): LiveAction {
  const config = isRecord(r.config) ? r.config : {};
  const script = isRecord(r.script) && typeof r.script.content === "string" ? r.script : undefined;
  const request = isRecord(config.request) ? config.request : undefined;
  const headers: Record<string, string> = {};
  if (isRecord(config.headers)) {
    for (const [name, value] of Object.entries(config.headers))
      if (typeof value === "string") headers[name] = value;
  }
  const action: LiveAction = {
    id: String(r.id ?? ""),
    version: typeof r.version === "number" ? r.version : 0,
    locked: r.locked === true,
    name: String(r.name ?? ""),
    type: String(r.type ?? ""),
    description: typeof r.description === "string" ? r.description : "",
    script: script
      ? { language: String(script.language ?? "JavaScript"), content: String(script.content) }
      : null,
    request: request ? { method: String(request.method), urlTemplate: String(request.urlTemplate) } : null,
    dependencies: Array.isArray(r.dependencies) ? r.dependencies.map(String) : [],
    headers,
    dateProcessing: normalizeDateProcessing(config.dateProcessing),
  };
  if (expanded.variables) action.variables = normalizeVariables(r.variables);
  if (expanded.overrides) action.overrides = normalizeOverrides(r.environments);
  return action;
}

function normalizeDateProcessing(value: unknown): DesiredDateProcessing | null {
  if (!isRecord(value)) return null;
  return {
    sourceField: String(value.sourceField ?? ""),
    targetField: String(value.targetField ?? ""),
    sourceTimestamp: String(value.sourceTimestamp ?? ""),
    operation: value.operation === "SUBTRACT_OFFSET" ? "SUBTRACT_OFFSET" : "ADD_OFFSET",
    offsetMinutes: Number(value.offsetMinutes ?? 0),
    timezone: String(value.timezone ?? ""),
    precision: Number(value.precision ?? 3),
  };
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value) && Array.isArray(value.variables)) return value.variables;
  return [];
}

function normalizeVariables(value: unknown): LiveVariable[] {
  return listOf(value)
    .filter(isRecord)
    .map((v) => {
      const encrypted = v.encrypted === true;
      return {
        name: String(v.name ?? ""),
        type: String(v.type ?? "string"),
        value: encrypted || typeof v.value !== "string" ? null : v.value,
        encrypted,
        ...(typeof v.fingerprint === "string" ? { fingerprint: v.fingerprint } : {}),
      };
    });
}

function normalizeOverrides(value: unknown): Record<string, LiveOverride[]> {
  const out: Record<string, LiveOverride[]> = {};
  const add = (env: unknown, list: unknown) => {
    if (typeof env !== "string" || env === "") return;
    out[env] = listOf(list)
      .filter(isRecord)
      .map((o) => {
        const masked = o.masked === true;
        return {
          name: String(o.name ?? ""),
          // A masked value reads "***": it is unknown, never compared as text.
          value: masked || typeof o.value !== "string" ? null : o.value,
          masked,
          description: typeof o.description === "string" ? o.description : "",
          ...(typeof o.fingerprint === "string" ? { fingerprint: o.fingerprint } : {}),
        };
      });
  };
  if (Array.isArray(value)) {
    for (const item of value) if (isRecord(item)) add(item.environmentId ?? item.id, item);
  } else if (isRecord(value)) {
    for (const [env, item] of Object.entries(value)) add(env, item);
  }
  return out;
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
