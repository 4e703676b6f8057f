/**
 * The pure planner of `cxda plan`: desired state + live state in, an ordered plan out. No
 * I/O, no clock; the same inputs give the same plan (changesets' assembleReleasePlan style).
 *
 * Order: creates and updates in dependency order (topologicalOrder of the file), each action's
 * resources in the order action, headers, dateProcessing, variables, overrides per environment; then,
 * only with `prune`, deletes of live actions missing from the file, dependents first.
 *
 * Secrets: the client cannot compute the tenant's HMAC fingerprint (the key is server-side),
 * and storing a hash of the plaintext anywhere would leak it to offline guessing. So an encrypted
 * variable or masked override that exists on both sides with the same name, type and flag is taken as
 * unchanged; `refreshSecrets` plans a rewrite of every such secret. A secret whose flag differs, or
 * that exists on one side only, is planned as usual. Secret values are always `***` in a plan.
 */
import { createHash } from "node:crypto";
import { isCredentialHeader } from "../domain/credential-header.js";
import { DATE_PROCESSING_INPUT_KEYS } from "../domain/datetime.js";
import { topologicalOrder } from "../domain/dependency-graph.js";
import { MASKED_PLACEHOLDER } from "../domain/overrides.js";
import { scriptDiff } from "../domain/script-diff.js";
import type {
  DesiredAction,
  DesiredDateProcessing,
  DesiredOverride,
  DesiredState,
  DesiredVariable,
} from "./desired-state.js";
import type { LiveAction, LiveOverride, LiveState, LiveVariable } from "./live-state.js";

export const PLAN_SCHEMA_VERSION = 1;

export type ChangeKind = "create" | "update" | "delete" | "no-op";
export type PlanResource = "action" | "headers" | "variables" | "overrides" | "dateProcessing";

export interface DiffEntry {
  /** `description`, `headers.X-Source`, `variables.apiKey.value`, `overrides.QUEUE_ID`, … */
  path: string;
  op: "add" | "remove" | "change";
  before?: unknown;
  after?: unknown;
  /** The values are secrets and shown as `***`. */
  secret?: boolean;
  /**
   * Where a plain `after` value came from, when a placeholder gave it: `""` for the value itself, or a
   * key of the value (`value`, `urlTemplate`) → the placeholders as written (`${env:REGION}`).
   */
  sources?: Record<string, string>;
  /**
   * A changed script only: the unified line diff from the tenant's script to the file's
   * (`--- NAME (tenant)`, `+++ FILE`, `@@ … @@` hunks with 3 lines of context).
   */
  unifiedDiff?: string;
}

export interface PlanChange {
  kind: ChangeKind;
  action: string;
  /** For overrides: the environment id. */
  env?: string;
  resource: PlanResource;
  diff: DiffEntry[];
  reason: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noOp: number;
}

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  prune: boolean;
  changes: PlanChange[];
  summary: PlanSummary;
  /**
   * The tenant revision the plan was computed against (read from the snapshot): a saved plan is refused
   * once the tenant moved past it, and apply's changeset carries it so the server refuses a stale one.
   */
  baseRevision?: number;
  /**
   * Only when the server has no snapshot (so no revision): sha256 of the normalised live state, which
   * a saved plan must match instead.
   */
  liveDigest?: string;
}

export interface PlanOptions {
  /** Delete live actions that the file does not list. */
  prune?: boolean;
  /** Rewrite secrets present on both sides, whose equality cannot be checked. */
  refreshSecrets?: boolean;
}

const SECRET = MASKED_PLACEHOLDER;

export function computePlan(desired: DesiredState, live: LiveState, options: PlanOptions = {}): Plan {
  const prune = options.prune === true;
  const liveByName = new Map(live.actions.map((a) => [a.name, a]));
  const desiredByName = new Map(desired.actions.map((a) => [a.name, a]));
  const graph = Object.fromEntries(desired.actions.map((a) => [a.name, a.dependencies]));
  const changes: PlanChange[] = [];

  for (const name of topologicalOrder(graph)) {
    const want = desiredByName.get(name)!;
    const have = liveByName.get(name);
    const planned = have ? planUpdate(want, have, live, options) : planCreate(want);
    changes.push(...planned.map((change) => withSources(change, want)));
  }

  const missing = live.actions.filter((a) => !desiredByName.has(a.name));
  if (prune) {
    for (const action of deletionOrder(missing)) {
      changes.push({
        kind: "delete",
        action: action.name,
        resource: "action",
        diff: [{ path: "", op: "remove" }],
        reason: `not in the file; deleted because of --prune${action.locked ? " (the action is locked: the delete will be refused until it is unlocked)" : ""}`,
      });
    }
  } else {
    for (const action of missing) {
      changes.push({
        kind: "no-op",
        action: action.name,
        resource: "action",
        diff: [],
        reason: "not in the file; left alone (--prune deletes it)",
      });
    }
  }

  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    prune,
    changes,
    summary: summarize(changes),
    ...(live.revision !== undefined ? { baseRevision: live.revision } : { liveDigest: liveDigest(live) }),
  };
}

/** True when applying the plan would change something (`--detailed-exitcode` → 2). */
export function planHasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.kind !== "no-op");
}

/** sha256 over the normalised live state, ids and versions included: any write in between changes it. */
export function liveDigest(live: LiveState): string {
  return `sha256:${createHash("sha256").update(canonicalJson(live)).digest("hex")}`;
}

function summarize(changes: readonly PlanChange[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, noOp: 0 };
  for (const c of changes) {
    if (c.kind === "no-op") summary.noOp += 1;
    else summary[c.kind] += 1;
  }
  return summary;
}

function planCreate(want: DesiredAction): PlanChange[] {
  // One POST carries the headers and the date processing (issue 9), so they are part of the create.
  const diff: DiffEntry[] = [
    ...coreDiff(want, undefined),
    ...headersDiff(want, {}),
    ...dateProcessingDiff(want.dateProcessing, null),
  ];
  const changes: PlanChange[] = [
    { kind: "create", action: want.name, resource: "action", diff, reason: "not in the tenant" },
  ];
  if (want.variables && want.variables.length > 0) {
    changes.push({
      kind: "create",
      action: want.name,
      resource: "variables",
      diff: variablesDiff(want.variables, [], false),
      reason: "new action",
    });
  }
  for (const [env, list] of sortedEntries(want.overrides ?? {})) {
    if (list.length === 0) continue;
    changes.push({
      kind: "create",
      action: want.name,
      env,
      resource: "overrides",
      diff: overridesDiff(list, [], false),
      reason: "new action",
    });
  }
  return changes;
}

function planUpdate(
  want: DesiredAction,
  have: LiveAction,
  live: LiveState,
  options: PlanOptions,
): PlanChange[] {
  const refresh = options.refreshSecrets === true;
  const locked = have.locked ? " (the action is locked: the write will be refused until it is unlocked)" : "";
  const changes: PlanChange[] = [];
  const update = (resource: PlanResource, diff: DiffEntry[], reason: string, env?: string) => {
    if (diff.length === 0) return;
    changes.push({
      kind: "update",
      action: want.name,
      ...(env !== undefined ? { env } : {}),
      resource,
      diff,
      reason: reason + locked,
    });
  };
  update("action", coreDiff(want, have), "differs from the file");
  update("headers", headersDiff(want, have.headers), "headers differ from the file");
  update(
    "dateProcessing",
    dateProcessingDiff(want.dateProcessing, have.dateProcessing),
    "date processing differs",
  );

  if (want.variables) {
    if (!live.read.variables || !have.variables) {
      update(
        "variables",
        variablesDiff(want.variables, [], false),
        "the live variables were not read (the server did not expand them); the whole set will be written",
      );
    } else {
      const diff = variablesDiff(want.variables, have.variables, refresh);
      if (diff.length > 0) {
        changes.push({
          kind: have.variables.length === 0 ? "create" : "update",
          action: want.name,
          resource: "variables",
          diff,
          reason:
            (refresh && diff.every((d) => d.secret) ? "secrets refreshed" : "variables differ") + locked,
        });
      }
    }
  }
  for (const [env, list] of sortedEntries(want.overrides ?? {})) {
    const current = live.read.overrides ? have.overrides?.[env] : undefined;
    if (current === undefined && !live.read.overrides) {
      update(
        "overrides",
        overridesDiff(list, [], false),
        "the live overrides were not read (the server did not expand them); the whole set will be written",
        env,
      );
      continue;
    }
    const diff = overridesDiff(list, current ?? [], refresh);
    if (diff.length === 0) continue;
    changes.push({
      kind: (current ?? []).length === 0 ? "create" : "update",
      action: want.name,
      env,
      resource: "overrides",
      diff,
      reason:
        (refresh && diff.every((d) => d.secret) ? "secrets refreshed" : `overrides in ${env} differ`) +
        locked,
    });
  }
  if (changes.length === 0) {
    changes.push({ kind: "no-op", action: want.name, resource: "action", diff: [], reason: "up to date" });
  }
  return changes;
}

/** type, description, script, request, dependencies. */
function coreDiff(want: DesiredAction, have: LiveAction | undefined): DiffEntry[] {
  const diff: DiffEntry[] = [];
  const field = (path: string, after: unknown, before: unknown, empty: unknown) => {
    if (have === undefined) {
      if (!sameJson(after, empty)) diff.push({ path, op: "add", after });
    } else if (!sameJson(after, before)) {
      diff.push(
        sameJson(after, empty)
          ? { path, op: "remove", before }
          : sameJson(before, empty)
            ? { path, op: "add", after }
            : { path, op: "change", before, after },
      );
    }
  };
  field("type", want.type, have?.type, null);
  field("description", want.description, have?.description, "");
  const wantScript = want.script ? scriptSummary(want.script.content, want.script.file) : null;
  if (have === undefined) field("script", wantScript, null, null);
  else if ((want.script?.content ?? null) !== (have.script?.content ?? null)) {
    const before = have.script ? scriptSummary(have.script.content) : null;
    diff.push(
      wantScript === null
        ? { path: "script", op: "remove", before }
        : before === null
          ? { path: "script", op: "add", after: wantScript }
          : {
              path: "script",
              op: "change",
              before,
              after: wantScript,
              unifiedDiff: scriptDiff(have.script!.content, want.script!.content, {
                before: `${want.name} (tenant)`,
                after: want.script!.file ?? `${want.name} (file)`,
              }).unifiedDiff,
            },
    );
  }
  field("request", want.request, have?.request ?? null, null);
  field("dependencies", [...want.dependencies].sort(), have ? [...have.dependencies].sort() : [], []);
  return diff;
}

/** Marks the plain values a placeholder gave with their source, so the reviewer sees both. */
function withSources(change: PlanChange, want: DesiredAction): PlanChange {
  const sources = want.sources;
  if (!sources) return change;
  const diff = change.diff.map((entry) => {
    if (entry.op === "remove" || entry.secret) return entry;
    const key =
      change.env === undefined ? entry.path : entry.path.replace(/^overrides\./, `overrides.${change.env}.`);
    const found: Record<string, string> = {};
    for (const [path, source] of Object.entries(sources)) {
      if (path === key) found[""] = source;
      else if (path.startsWith(`${key}.`)) found[path.slice(key.length + 1)] = source;
    }
    return Object.keys(found).length > 0 ? { ...entry, sources: found } : entry;
  });
  return { ...change, diff };
}

function scriptSummary(content: string, file?: string): string {
  const lines = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  return `${file ? `${file}: ` : ""}${lines} line${lines === 1 ? "" : "s"}, ${Buffer.byteLength(content, "utf8")} bytes, sha256 ${hash}`;
}

function headersDiff(want: DesiredAction, have: Readonly<Record<string, string>>): DiffEntry[] {
  // A credential by name or by either value's shape is shown as `***` even when written literally.
  const secret = (name: string) =>
    want.secretHeaders.includes(name) ||
    isCredentialHeader(name, want.headers[name]) ||
    isCredentialHeader(name, have[name]);
  const shown = (name: string, value: string) => (secret(name) ? SECRET : value);
  const diff: DiffEntry[] = [];
  for (const name of Object.keys(want.headers).sort()) {
    const after = want.headers[name]!;
    const path = `headers.${name}`;
    const flag = secret(name) ? { secret: true } : {};
    if (!Object.hasOwn(have, name)) diff.push({ path, op: "add", after: shown(name, after), ...flag });
    else if (have[name] !== after) {
      diff.push({ path, op: "change", before: shown(name, have[name]!), after: shown(name, after), ...flag });
    }
  }
  for (const name of Object.keys(have).sort()) {
    if (Object.hasOwn(want.headers, name)) continue;
    diff.push({
      path: `headers.${name}`,
      op: "remove",
      before: shown(name, have[name]!),
      ...(secret(name) ? { secret: true } : {}),
    });
  }
  return diff;
}

const DATE_FIELDS = DATE_PROCESSING_INPUT_KEYS;

function dateProcessingDiff(
  want: DesiredDateProcessing | null,
  have: DesiredDateProcessing | null,
): DiffEntry[] {
  if (want === null && have === null) return [];
  if (want === null) return [{ path: "dateProcessing", op: "remove", before: have }];
  if (have === null)
    return DATE_FIELDS.map((f) => ({ path: `dateProcessing.${f}`, op: "add", after: want[f] }));
  return DATE_FIELDS.filter((f) => want[f] !== have[f]).map((f) => ({
    path: `dateProcessing.${f}`,
    op: "change",
    before: have[f],
    after: want[f],
  }));
}

function variablesDiff(
  want: readonly DesiredVariable[],
  have: readonly LiveVariable[],
  refresh: boolean,
): DiffEntry[] {
  const haveByName = new Map(have.map((v) => [v.name, v]));
  const wantNames = new Set(want.map((v) => v.name));
  const view = (v: DesiredVariable | LiveVariable) => ({
    type: v.type,
    value: v.encrypted ? SECRET : v.value,
    encrypted: v.encrypted,
  });
  const diff: DiffEntry[] = [];
  for (const v of [...want].sort(byName)) {
    const path = `variables.${v.name}`;
    const flag = v.encrypted ? { secret: true } : {};
    const h = haveByName.get(v.name);
    if (!h) {
      diff.push({ path, op: "add", after: view(v), ...flag });
      continue;
    }
    if (h.type !== v.type) diff.push({ path: `${path}.type`, op: "change", before: h.type, after: v.type });
    if (h.encrypted !== v.encrypted) {
      diff.push({ path: `${path}.encrypted`, op: "change", before: h.encrypted, after: v.encrypted });
      diff.push({
        path: `${path}.value`,
        op: "change",
        before: view(h).value,
        after: view(v).value,
        secret: true,
      });
    } else if (v.encrypted) {
      if (refresh)
        diff.push({ path: `${path}.value`, op: "change", before: SECRET, after: SECRET, secret: true });
    } else if (!sameValue(v.type, v.value, h.value)) {
      diff.push({ path: `${path}.value`, op: "change", before: h.value, after: v.value });
    }
  }
  for (const h of [...have].sort(byName)) {
    if (wantNames.has(h.name)) continue;
    diff.push({
      path: `variables.${h.name}`,
      op: "remove",
      before: view(h),
      ...(h.encrypted ? { secret: true } : {}),
    });
  }
  return diff;
}

function overridesDiff(
  want: readonly DesiredOverride[],
  have: readonly LiveOverride[],
  refresh: boolean,
): DiffEntry[] {
  const haveByName = new Map(have.map((o) => [o.name, o]));
  const wantNames = new Set(want.map((o) => o.name));
  const view = (o: DesiredOverride | LiveOverride) => ({
    value: o.masked ? SECRET : o.value,
    masked: o.masked,
    ...(o.description ? { description: o.description } : {}),
  });
  const diff: DiffEntry[] = [];
  for (const o of [...want].sort(byName)) {
    const path = `overrides.${o.name}`;
    const flag = o.masked ? { secret: true } : {};
    const h = haveByName.get(o.name);
    if (!h) {
      diff.push({ path, op: "add", after: view(o), ...flag });
      continue;
    }
    if (h.masked !== o.masked) {
      diff.push({ path: `${path}.masked`, op: "change", before: h.masked, after: o.masked });
      diff.push({
        path: `${path}.value`,
        op: "change",
        before: view(h).value,
        after: view(o).value,
        secret: true,
      });
    } else if (o.masked) {
      if (refresh)
        diff.push({ path: `${path}.value`, op: "change", before: SECRET, after: SECRET, secret: true });
    } else if (h.value !== o.value) {
      diff.push({ path: `${path}.value`, op: "change", before: h.value, after: o.value });
    }
    if (h.description !== o.description) {
      diff.push({ path: `${path}.description`, op: "change", before: h.description, after: o.description });
    }
  }
  for (const h of [...have].sort(byName)) {
    if (wantNames.has(h.name)) continue;
    diff.push({
      path: `overrides.${h.name}`,
      op: "remove",
      before: view(h),
      ...(h.masked ? { secret: true } : {}),
    });
  }
  return diff;
}

/** Object values compare as JSON (key order and spacing are not drift); others as text. */
function sameValue(type: string, a: string, b: string | null): boolean {
  if (b === null) return false;
  if (a === b) return true;
  if (type !== "object") return false;
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return false;
  }
}

/** Live actions to delete, dependents before the actions they depend on. */
function deletionOrder(actions: readonly LiveAction[]): LiveAction[] {
  const names = new Set(actions.map((a) => a.name));
  const graph = Object.fromEntries(
    actions.map((a) => [a.name, a.dependencies.filter((d) => names.has(d) && d !== a.name)]),
  );
  let order: string[];
  try {
    order = topologicalOrder(graph).reverse();
  } catch {
    order = actions.map((a) => a.name);
  }
  const byName = new Map(actions.map((a) => [a.name, a]));
  return order.map((n) => byName.get(n)!);
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  // Native JSON.stringify with a replacer that copies only objects whose keys are out of order (bench B6).
  return JSON.stringify(value, sortKeys) ?? "null";
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i += 1) sorted = keys[i - 1]! < keys[i]!;
  if (sorted) return value;
  keys.sort();
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = (value as Record<string, unknown>)[key];
  return copy;
}
