/**
 * What the console's views show, read from the tenant through the SDK in as few requests as the server
 * allows: one `GET /snapshot` when `GET /api/v2` advertises it (plus the token and the capabilities,
 * both read once per client), otherwise the environments, the global variables and the paged
 * `expand=variables,environments` list. Everything the browser gets is built here, and nothing secret
 * is in it: encrypted variables have no value (the API never returns one), masked overrides read
 * `***`, credential-like headers are masked, and the whole model passes through the SDK's redactor.
 */
import {
  type CxdaSdk,
  type DriftEntry,
  diffEnvironments,
  type EffectiveVariable,
  findDependencyCycles,
  REDACTED,
  type Redactor,
  resolveEffectiveVariables,
} from "../index.js";

export interface ConsoleVariable {
  name: string;
  type: string;
  /** null for an encrypted variable: its value never leaves the server. */
  value: string | null;
  encrypted: boolean;
  keyId?: string;
  fingerprint?: string;
}

export interface ConsoleOverride {
  name: string;
  /** `***` for a masked override. */
  value: string;
  masked: boolean;
  description: string;
  fingerprint?: string;
}

export interface ConsoleHeader {
  name: string;
  /** `***` for a credential-like header (by name or value). */
  value: string;
  masked: boolean;
}

export interface ConsoleAction {
  id: string;
  name: string;
  type: string;
  description: string;
  version: number;
  modified?: string;
  dependencies: string[];
  /** The actions that list this one among their dependencies. */
  dependents: string[];
  script: { language: string; content: string } | null;
  request: { method: string; urlTemplate: string } | null;
  headers: ConsoleHeader[];
  variables: ConsoleVariable[];
  /** Per environment id. */
  overrides: Record<string, ConsoleOverride[]>;
  /** Per environment id: override ▸ action variable ▸ global variable, secrets as `***`. */
  effective: Record<string, EffectiveVariable<string>[]>;
}

export interface ConsoleModel {
  /** How the tenant was read. */
  source: "snapshot" | "list";
  /** What the server advertises (`GET /api/v2`): the Deployments view needs `deployments`. */
  capabilities: string[];
  /** The tenant's revision, from the snapshot. */
  revision?: number;
  readAt: string;
  environments: { id: string; name: string; order: number }[];
  globals: ConsoleVariable[];
  actions: ConsoleAction[];
  /** Each dependency cycle as a closed path (`[a, b, a]`). */
  cycles: string[][];
  /** drift[baseline][target][actionName]: the differing overrides (domain drift rules); drifting actions only. */
  drift: Record<string, Record<string, Record<string, DriftEntry[]>>>;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A sub-resource list as the API embeds it: `[...]` or `{variables: [...]}`. */
function listOf(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  if (isRecord(value) && Array.isArray(value.variables)) return value.variables.filter(isRecord);
  return [];
}

function toVariable(v: Json): ConsoleVariable {
  const encrypted = v.encrypted === true;
  return {
    name: String(v.name ?? ""),
    type: String(v.type ?? "string"),
    value: encrypted ? null : text(v.value),
    encrypted,
    ...(typeof v.keyId === "string" ? { keyId: v.keyId } : {}),
    ...(typeof v.fingerprint === "string" ? { fingerprint: v.fingerprint } : {}),
  };
}

function toOverride(o: Json): ConsoleOverride {
  const masked = o.masked === true;
  return {
    name: String(o.name ?? ""),
    value: masked ? REDACTED : (text(o.value) ?? ""),
    masked,
    description: typeof o.description === "string" ? o.description : "",
    ...(typeof o.fingerprint === "string" ? { fingerprint: o.fingerprint } : {}),
  };
}

/** Overrides per environment from either embedding: a map env → list, or a list of `{environmentId, variables}`. */
function overridesOf(value: unknown): Record<string, ConsoleOverride[]> {
  const out: Record<string, ConsoleOverride[]> = {};
  if (Array.isArray(value)) {
    for (const item of value)
      if (isRecord(item)) {
        const env = item.environmentId ?? item.id;
        if (typeof env === "string") out[env] = listOf(item).map(toOverride);
      }
  } else if (isRecord(value)) {
    for (const [env, item] of Object.entries(value)) out[env] = listOf(item).map(toOverride);
  }
  return out;
}

interface RawAction {
  action: Json;
  variables: unknown;
  overrides: unknown;
}

interface RawTenant {
  source: ConsoleModel["source"];
  capabilities?: string[];
  revision?: number;
  environments: { id: string; name: string; order: number }[];
  globals: unknown;
  actions: RawAction[];
}

const PAGE_SIZE = 100;

async function readTenant(sdk: CxdaSdk): Promise<RawTenant> {
  if (await sdk.snapshot.available()) {
    const snapshot = await sdk.snapshot.read();
    return {
      source: "snapshot",
      revision: snapshot.revision,
      environments: snapshot.environments.map((e) => ({ id: e.id, name: e.name, order: e.order })),
      globals: snapshot.globals.variables,
      actions: snapshot.actions.map((a) => ({
        action: a.action,
        variables: a.variables,
        overrides: a.overrides,
      })),
    };
  }
  const [environments, globals] = await Promise.all([sdk.environments.list(), sdk.globalVariables.get()]);
  const actions: RawAction[] = [];
  for await (const a of sdk.actions.list<Json>({
    expand: ["variables", "environments"],
    pageSize: PAGE_SIZE,
  }))
    actions.push({ action: a, variables: a.variables, overrides: a.environments });
  return {
    source: "list",
    environments: environments.map((e) => ({ id: e.id, name: e.name, order: e.order })),
    globals: globals.variables,
    actions,
  };
}

function headersOf(config: Json, redactor: Redactor): ConsoleHeader[] {
  if (!isRecord(config.headers)) return [];
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers))
    if (typeof value === "string") plain[name] = value;
  const shown = redactor.redactHeaders(plain);
  return Object.keys(plain).map((name) => {
    const value = String(shown[name]);
    return { name, value, masked: value !== plain[name] };
  });
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Builds the console's model from raw tenant data (pure: the tests and the benchmark call it too). */
export function buildModel(raw: RawTenant, redactor: Redactor, now: Date = new Date()): ConsoleModel {
  const environments = [...raw.environments].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
  const globals = listOf(raw.globals).map(toVariable);
  const layer = (items: { name: string; value: string | null; secret: boolean }[]) =>
    items.map((i) => ({ name: i.name, value: i.secret ? REDACTED : (i.value ?? ""), secret: i.secret }));
  const globalLayer = layer(globals.map((g) => ({ name: g.name, value: g.value, secret: g.encrypted })));
  const actions: ConsoleAction[] = raw.actions.map(({ action: a, variables, overrides }) => {
    const config = isRecord(a.config) ? a.config : {};
    const script = isRecord(a.script) && typeof a.script.content === "string" ? a.script : undefined;
    const request = isRecord(config.request) ? config.request : undefined;
    const vars = listOf(variables).map(toVariable);
    const perEnv = overridesOf(overrides);
    const actionLayer = layer(vars.map((v) => ({ name: v.name, value: v.value, secret: v.encrypted })));
    const effective: Record<string, EffectiveVariable<string>[]> = {};
    for (const env of environments) {
      const overrideLayer = layer(
        (perEnv[env.id] ?? []).map((o) => ({ name: o.name, value: o.value, secret: o.masked })),
      );
      effective[env.id] = [
        ...resolveEffectiveVariables({
          global: globalLayer,
          action: actionLayer,
          override: overrideLayer,
        }).values(),
      ].sort(byName);
    }
    return {
      id: String(a.id ?? ""),
      name: String(a.name ?? ""),
      type: String(a.type ?? ""),
      description: typeof a.description === "string" ? a.description : "",
      version: typeof a.version === "number" ? a.version : 0,
      ...(typeof a.modifiedAt === "string" ? { modified: a.modifiedAt } : {}),
      ...(typeof a.modified === "string" ? { modified: a.modified } : {}),
      dependencies: Array.isArray(a.dependencies) ? a.dependencies.map(String) : [],
      dependents: [],
      script: script
        ? { language: String(script.language ?? "JavaScript"), content: String(script.content) }
        : null,
      request: request ? { method: String(request.method), urlTemplate: String(request.urlTemplate) } : null,
      headers: headersOf(config, redactor),
      variables: vars,
      overrides: perEnv,
      effective,
    };
  });
  actions.sort(byName);
  const index = new Map(actions.map((a) => [a.name, a]));
  for (const a of actions) for (const dep of a.dependencies) index.get(dep)?.dependents.push(a.name);
  const graph: Record<string, string[]> = {};
  for (const a of actions) graph[a.name] = a.dependencies;
  const drift: ConsoleModel["drift"] = {};
  for (const baseline of environments) {
    const row: Record<string, Record<string, DriftEntry[]>> = {};
    for (const target of environments) {
      if (target.id === baseline.id) continue;
      const cells: Record<string, DriftEntry[]> = {};
      for (const a of actions) {
        const entries = diffEnvironments(a.overrides[baseline.id] ?? [], a.overrides[target.id] ?? []);
        if (entries.length > 0) cells[a.name] = entries;
      }
      row[target.id] = cells;
    }
    drift[baseline.id] = row;
  }
  const model: ConsoleModel = {
    source: raw.source,
    capabilities: raw.capabilities ?? [],
    ...(raw.revision !== undefined ? { revision: raw.revision } : {}),
    readAt: now.toISOString(),
    environments,
    globals,
    actions,
    cycles: findDependencyCycles(graph),
    drift,
  };
  // Belt and braces: anything the SDK knows to be secret (the client secret, …) is scrubbed once more.
  return redactor.redact(model);
}

/** Reads the tenant through the SDK and builds the model. */
export async function readModel(sdk: CxdaSdk, redactor: Redactor): Promise<ConsoleModel> {
  const raw = await readTenant(sdk);
  // Read once per client, when the console started: no request here.
  return buildModel({ ...raw, capabilities: await sdk.snapshot.capabilities() }, redactor);
}
