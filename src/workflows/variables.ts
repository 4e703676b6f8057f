/**
 * Typed and encrypted variables (issue 6). `registerVariables` validates locally (every
 * problem), writes the whole set with the version it read, and checks that the server stored exactly
 * the names it sent (comparing counts alone would miss a dropped name). Metrics count
 * operations, not variables: an "encryption success rate" that divided encrypted variables by
 * successes, which measures nothing.
 */
import type { CxdaEventInput } from "../audit/events.js";
import type { GlobalVariables } from "../client/resources/global-variables.js";
import type { KeyList } from "../client/resources/keys.js";
import type { ActionVariables, VariableInput } from "../client/resources/variables.js";
import type { ApiResponse, CxdaClient } from "../client/types.js";
import { type StoredVariable, validateVariables } from "../domain/variables.js";
import { BugError, ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { type VersionedWriteOptions, writeWithVersion } from "./write-with-version.js";

export type { ActionVariables, GlobalVariables, VariableInput };

export interface RegisterVariablesResult {
  actionId?: string;
  actionName?: string;
  scope: "action" | "global";
  version: number;
  variables: StoredVariable[];
  count: number;
  encryptedCount: number;
  /** True when the server kept the set as it was (same names, types and values; no version bump). */
  unchanged: boolean;
  /** Writes refused because another writer changed the set first (each re-read and written again). */
  conflicts: number;
}

export interface StaleSecret {
  scope: "action" | "global";
  actionId?: string;
  actionName?: string;
  name: string;
  keyId: string;
}

export interface RotationCheckResult {
  activeKeyId: string;
  keys: { keyId: string; createdTimestamp: number }[];
  /** Secrets still encrypted under a key that is no longer active. */
  stale: StaleSecret[];
  checkedActions: number;
  checkedSecrets: number;
  clean: boolean;
}

export interface ReencryptResult {
  scope: "action" | "global";
  actionId?: string;
  actionName?: string;
  version: number;
  activeKeyId: string;
  reencrypted: string[];
}

export interface VariableMetrics {
  /** registerVariables / setGlobalVariables calls. */
  operations: number;
  successes: number;
  failures: number;
  /** Variables and encrypted variables in successful writes. */
  variablesWritten: number;
  encryptedWritten: number;
  latencyMs: { total: number; max: number; mean: number };
}

const metricsByClient = new WeakMap<CxdaClient, VariableMetrics>();

function metricsOf(client: CxdaClient): VariableMetrics {
  let m = metricsByClient.get(client);
  if (m === undefined) {
    m = {
      operations: 0,
      successes: 0,
      failures: 0,
      variablesWritten: 0,
      encryptedWritten: 0,
      latencyMs: { total: 0, max: 0, mean: 0 },
    };
    metricsByClient.set(client, m);
  }
  return m;
}

/** A snapshot of this client's variable-write metrics. */
export function variableMetrics(ctx: WorkflowContext): VariableMetrics {
  const m = metricsOf(ctx.client);
  return { ...m, latencyMs: { ...m.latencyMs } };
}

/**
 * Validates locally (the emulator's own rules and messages); throws ValidationError with every issue.
 * Secret values are registered with the client's redactor first, so no sink can print them.
 */
function checked(
  client: CxdaClient,
  list: readonly VariableInput[],
  scope: "action" | "global",
): VariableInput[] {
  if (Array.isArray(list))
    for (const v of list)
      if (v?.encrypted === true && typeof v.value === "string") client.redactor.register(v.value);
  const result = validateVariables(list, { scope });
  if (!result.ok)
    throw new ValidationError(
      result.issues.length === 1
        ? result.issues[0]!.message
        : `The variable list has ${result.issues.length} problems: ${result.issues.map((i) => i.message).join(" ")}`,
      { issues: result.issues, slug: "validation-failed" },
    );
  return list.map((v) => ({
    name: v.name,
    type: v.type,
    value: v.value,
    encrypted: v.encrypted === true,
    scope,
  }));
}

/** The response must hold exactly the names sent, and no secret's value: anything else is a server fault. */
export function verifyStored(
  sent: readonly VariableInput[],
  body: unknown,
  requestId?: string,
): StoredVariable[] {
  const stored = (body as { variables?: unknown } | null)?.variables;
  const detail = requestId === undefined ? {} : { requestId };
  if (!Array.isArray(stored))
    throw new BugError(
      "The server's answer to the variable write holds no variables list; nothing can be verified.",
      detail,
    );
  const got = stored.map((v) => String((v as { name?: unknown })?.name));
  const want = sent.map((v) => v.name);
  const missing = want.filter((n) => !got.includes(n));
  const extra = got.filter((n) => !want.includes(n));
  const duplicated = got.filter((n, i) => got.indexOf(n) !== i);
  if (missing.length > 0 || extra.length > 0 || duplicated.length > 0 || got.length !== want.length) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(", ")}` : "",
      extra.length > 0 ? `unexpected ${extra.join(", ")}` : "",
      duplicated.length > 0 ? `repeated ${duplicated.join(", ")}` : "",
    ].filter((p) => p !== "");
    throw new BugError(
      `The server stored ${got.length} variables for the ${want.length} sent (${parts.join("; ") || "counts differ"}): the write cannot be trusted; read the variables back and write them again.`,
      detail,
    );
  }
  const leaked = sent
    .filter((v) => v.encrypted)
    .filter((v) => (stored as StoredVariable[]).find((s) => s.name === v.name)?.value !== null)
    .map((v) => v.name);
  if (leaked.length > 0)
    throw new BugError(
      `The server answered a value for the encrypted variable${leaked.length === 1 ? "" : "s"} ${leaked.join(", ")}; secrets must come back as null.`,
      detail,
    );
  return stored as StoredVariable[];
}

async function measured<T>(
  ctx: WorkflowContext,
  written: (value: T) => { count: number; encrypted: number },
  body: () => Promise<T>,
): Promise<T> {
  const m = metricsOf(ctx.client);
  const now = ctx.clock ?? (() => performance.now());
  const started = now();
  m.operations += 1;
  try {
    const value = await body();
    const w = written(value);
    m.successes += 1;
    m.variablesWritten += w.count;
    m.encryptedWritten += w.encrypted;
    return value;
  } catch (error) {
    m.failures += 1;
    throw error;
  } finally {
    const elapsed = Math.max(0, now() - started);
    m.latencyMs.total += elapsed;
    m.latencyMs.max = Math.max(m.latencyMs.max, elapsed);
    m.latencyMs.mean = m.latencyMs.total / m.operations;
  }
}

function outcome_(result: RegisterVariablesResult, response: ApiResponse<unknown>, sent: VariableInput[]) {
  const names = sent.map((v) => v.name);
  const encryptedNames = sent.filter((v) => v.encrypted).map((v) => v.name);
  return {
    value: result,
    response,
    ...(result.actionId === undefined
      ? {}
      : { target: { id: result.actionId, name: result.actionName ?? "" } }),
    counts: { variables: result.count, encrypted: result.encryptedCount },
    names: { variables: names, encrypted: encryptedNames },
    details: { version: result.version, unchanged: result.unchanged },
    event: (latencyMs: number) => ({
      type: "variables.updated" as const,
      data: {
        // Global variables belong to no action: the event says so with an empty id and scope global.
        actionId: result.actionId ?? "",
        ...(result.actionName === undefined ? {} : { actionName: result.actionName }),
        latencyMs,
        version: result.version,
        scope: result.scope,
        names,
        count: result.count,
        encryptedCount: result.encryptedCount,
      },
    }),
  };
}

type Level = "action" | "global";

/** How a write turns the set read into the set sent: replace it whole, or upsert by name. */
type Mode = "replace" | "upsert";

/**
 * The set to send. `replace` sends the caller's list; `upsert` keeps every variable read that the list
 * does not name — which needs its value, so an encrypted one (read back as null) refuses the upsert.
 */
function planOf(
  mode: Mode,
  sent: readonly VariableInput[],
  current: readonly StoredVariable[],
  level: Level,
  where: string,
): VariableInput[] {
  if (mode === "replace") return [...sent];
  const named = new Set(sent.map((v) => v.name));
  const kept = current.filter((v) => !named.has(v.name));
  const secrets = kept.filter((v) => v.encrypted || v.value === null).map((v) => v.name);
  if (secrets.length > 0)
    throw new ValidationError(
      `cannot add to ${where}: the encrypted variable${secrets.length === 1 ? "" : "s"} ${secrets.join(", ")} cannot be read back to be kept; nothing was written. Pass ${secrets.length === 1 ? "it" : "them"} with the value too, or replace the whole set with register`,
      {
        slug: "validation-failed",
        issues: secrets.map((name) => ({
          path: "variables",
          code: "validation-failed",
          message: `the encrypted variable ${name} is not in the list; pass it with its value`,
        })),
      },
    );
  const merged = kept.map((v) => ({
    name: v.name,
    type: v.type,
    value: v.value as string,
    encrypted: false,
    scope: level,
  }));
  const check = validateVariables([...merged, ...sent], { scope: level });
  if (!check.ok)
    throw new ValidationError(
      `cannot add to ${where}: ${check.issues.map((i) => i.message).join(" ")}; nothing was written`,
      { issues: check.issues, slug: check.issues[0]?.code ?? "validation-failed" },
    );
  return [...merged, ...sent];
}

/** What a set write stored, verified against what was sent; `unchanged` when the version did not move. */
function storedSet(
  sent: readonly VariableInput[],
  response: ApiResponse<{ version: number }>,
  versionRead: number,
  conflicts: number,
): Omit<RegisterVariablesResult, "scope" | "actionId" | "actionName"> {
  const variables = verifyStored(sent, response.body, response.requestId);
  return {
    version: response.body.version,
    variables,
    count: variables.length,
    encryptedCount: variables.filter((v) => v.encrypted).length,
    unchanged: response.body.version === versionRead,
    conflicts,
  };
}

/** Writes an action's set with the version read (writeWithVersion); verifies what the server stored. */
async function writeActionVariables(
  ctx: WorkflowContext,
  ref: string,
  list: readonly VariableInput[],
  mode: Mode,
  opts: VersionedWriteOptions,
): Promise<RegisterVariablesResult> {
  return measured(
    ctx,
    (r) => ({ count: r.unchanged ? 0 : r.count, encrypted: r.unchanged ? 0 : r.encryptedCount }),
    () =>
      recorded(ctx, { operation: "variables.set", target: { name: ref } }, async () => {
        const sent = checked(ctx.client, list, "action");
        const action = await ctx.client.actions.resolve(ref);
        const where = `the variables of ${action.name}`;
        const outcome = await writeWithVersion({
          ...opts,
          what: where,
          read: async () => (await ctx.client.variables.get(action.id)).body,
          build: (current) => planOf(mode, sent, current.variables, "action", where),
          write: (plan, current) =>
            ctx.client.variables.replace(action.id, plan, { version: current.version }),
        });
        if (!outcome.written) throw new Error("unreachable: a variables write always sends");
        const { value: response, plan, current } = outcome;
        const result: RegisterVariablesResult = {
          actionId: action.id,
          actionName: action.name,
          scope: "action",
          ...storedSet(plan, response, current.version, outcome.conflicts),
        };
        return outcome_(result, response, sent);
      }),
  );
}

async function writeGlobalVariables(
  ctx: WorkflowContext,
  list: readonly VariableInput[],
  mode: Mode,
  opts: VersionedWriteOptions,
): Promise<RegisterVariablesResult> {
  return measured(
    ctx,
    (r) => ({ count: r.unchanged ? 0 : r.count, encrypted: r.unchanged ? 0 : r.encryptedCount }),
    () =>
      recorded(ctx, { operation: "variables.global.set", target: { name: "(global)" } }, async () => {
        const sent = checked(ctx.client, list, "global");
        const where = "the global variables";
        const outcome = await writeWithVersion({
          ...opts,
          what: where,
          read: async () => (await ctx.client.globalVariables.get()).body,
          build: (current) => planOf(mode, sent, current.variables, "global", where),
          write: (plan, current) => ctx.client.globalVariables.replace(plan, { version: current.version }),
        });
        if (!outcome.written) throw new Error("unreachable: a variables write always sends");
        const { value: response, plan, current } = outcome;
        const result: RegisterVariablesResult = {
          scope: "global",
          ...storedSet(plan, response, current.version, outcome.conflicts),
        };
        return outcome_(result, response, sent);
      }),
  );
}

/**
 * Replaces an action's variables with the version read; when another writer changed them
 * first (409), reads again and replaces again. Verifies what the server stored.
 */
export function registerVariables(
  ctx: WorkflowContext,
  ref: string,
  list: readonly VariableInput[],
  opts: VersionedWriteOptions = {},
): Promise<RegisterVariablesResult> {
  return writeActionVariables(ctx, ref, list, "replace", opts);
}

/**
 * Adds or changes the named variables of an action; the others stay (read, merged by name and written
 * with the version read, again on a conflict). The variables kept must be readable: an encrypted one not
 * in `list` refuses the upsert (its value never comes back), nothing written.
 */
export function upsertVariables(
  ctx: WorkflowContext,
  ref: string,
  list: readonly VariableInput[],
  opts: VersionedWriteOptions = {},
): Promise<RegisterVariablesResult> {
  return writeActionVariables(ctx, ref, list, "upsert", opts);
}

export async function getVariables(
  ctx: WorkflowContext,
  ref: string,
): Promise<ActionVariables & { actionName: string }> {
  const action = await ctx.client.actions.resolve(ref);
  const response = await ctx.client.variables.get(action.id);
  return { ...response.body, actionName: action.name };
}

export async function getGlobalVariables(ctx: WorkflowContext): Promise<GlobalVariables> {
  return (await ctx.client.globalVariables.get()).body;
}

/** Replaces the tenant's global variables (needs dataactions:admin), again on a conflict. */
export function setGlobalVariables(
  ctx: WorkflowContext,
  list: readonly VariableInput[],
  opts: VersionedWriteOptions = {},
): Promise<RegisterVariablesResult> {
  return writeGlobalVariables(ctx, list, "replace", opts);
}

/** Adds or changes the named global variables; the others stay (as upsertVariables). */
export function upsertGlobalVariables(
  ctx: WorkflowContext,
  list: readonly VariableInput[],
  opts: VersionedWriteOptions = {},
): Promise<RegisterVariablesResult> {
  return writeGlobalVariables(ctx, list, "upsert", opts);
}

function staleIn(
  variables: readonly StoredVariable[],
  activeKeyId: string,
  where: Omit<StaleSecret, "name" | "keyId">,
): { stale: StaleSecret[]; secrets: number } {
  const secrets = variables.filter((v) => v.encrypted);
  return {
    secrets: secrets.length,
    stale: secrets
      .filter((v) => v.keyId !== activeKeyId)
      .map((v) => ({ ...where, name: v.name, keyId: v.keyId ?? "" })),
  };
}

/**
 * Secrets still under a non-active key: for one action, or for the whole tenant (global variables
 * included) read with `expand=variables`, ⌈N/100⌉ list requests.
 */
export async function rotationCheck(ctx: WorkflowContext, ref?: string): Promise<RotationCheckResult> {
  const keys: KeyList = (await ctx.client.keys.list()).body;
  const stale: StaleSecret[] = [];
  let checkedSecrets = 0;
  let checkedActions = 0;
  const add = (found: { stale: StaleSecret[]; secrets: number }) => {
    stale.push(...found.stale);
    checkedSecrets += found.secrets;
  };
  if (ref !== undefined) {
    const current = await getVariables(ctx, ref);
    checkedActions = 1;
    add(
      staleIn(current.variables, keys.activeKeyId, {
        scope: "action",
        actionId: current.actionId,
        actionName: current.actionName,
      }),
    );
  } else {
    const pages = ctx.client.actions.list<{ id: string; name: string; variables?: ActionVariables }>({
      expand: ["variables"],
      pageSize: 100,
    });
    for await (const action of pages) {
      checkedActions += 1;
      add(
        staleIn(action.variables?.variables ?? [], keys.activeKeyId, {
          scope: "action",
          actionId: action.id,
          actionName: action.name,
        }),
      );
    }
    add(staleIn((await getGlobalVariables(ctx)).variables, keys.activeKeyId, { scope: "global" }));
  }
  return {
    activeKeyId: keys.activeKeyId,
    keys: keys.keys,
    stale,
    checkedActions,
    checkedSecrets,
    clean: stale.length === 0,
  };
}

/** Re-encrypts an action's secrets under the active key (needs dataactions:admin). */
export async function reencrypt(ctx: WorkflowContext, ref: string): Promise<ReencryptResult> {
  return recorded(ctx, { operation: "variables.reencrypt", target: { name: ref } }, async () => {
    const action = await ctx.client.actions.resolve(ref);
    const response = await ctx.client.variables.reencrypt(action.id);
    const value: ReencryptResult = {
      scope: "action",
      actionId: action.id,
      actionName: action.name,
      version: response.body.version,
      activeKeyId: response.body.activeKeyId,
      reencrypted: response.body.reencrypted,
    };
    return {
      value,
      response,
      target: { id: action.id, name: action.name },
      counts: { reencrypted: value.reencrypted.length },
      names: { reencrypted: value.reencrypted },
      details: { activeKeyId: value.activeKeyId, version: value.version },
      event: (latencyMs) => reencryptedEvent(value, latencyMs),
    };
  });
}

/** Re-encrypts the tenant's global secrets under the active key. */
export async function reencryptGlobalVariables(ctx: WorkflowContext): Promise<ReencryptResult> {
  return recorded(
    ctx,
    { operation: "variables.global.reencrypt", target: { name: "(global)" } },
    async () => {
      const response = await ctx.client.globalVariables.reencrypt();
      const value: ReencryptResult = {
        scope: "global",
        version: response.body.version,
        activeKeyId: response.body.activeKeyId,
        reencrypted: response.body.reencrypted,
      };
      return {
        value,
        response,
        counts: { reencrypted: value.reencrypted.length },
        names: { reencrypted: value.reencrypted },
        details: { activeKeyId: value.activeKeyId, version: value.version },
        event: (latencyMs) => reencryptedEvent(value, latencyMs),
      };
    },
  );
}

function reencryptedEvent(value: ReencryptResult, latencyMs: number): CxdaEventInput {
  return {
    type: "variables.reencrypted",
    data: {
      scope: value.scope,
      ...(value.actionId !== undefined ? { actionId: value.actionId } : {}),
      ...(value.actionName !== undefined ? { actionName: value.actionName } : {}),
      latencyMs,
      version: value.version,
      activeKeyId: value.activeKeyId,
      names: value.reencrypted,
      count: value.reencrypted.length,
    },
  };
}

/** Rotates the tenant's data key (needs dataactions:admin); old keys stay until secrets move. */
export async function rotateKey(
  ctx: WorkflowContext,
): Promise<{ activeKeyId: string; previousKeyId: string; keys: RotationCheckResult["keys"] }> {
  return recorded(ctx, { operation: "keys.rotate" }, async () => {
    const response = await ctx.client.keys.rotate();
    return {
      value: response.body,
      response,
      details: { activeKeyId: response.body.activeKeyId },
      event: (latencyMs) => ({
        type: "keys.rotated",
        data: {
          latencyMs,
          activeKeyId: response.body.activeKeyId,
          previousKeyId: response.body.previousKeyId,
        },
      }),
    };
  });
}
