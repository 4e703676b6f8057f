/**
 * Typed and encrypted variables (SPEC §5, §5.1; issue 6). `registerVariables` validates locally (every
 * problem), writes the whole set with the version it read, and checks that the server stored exactly
 * the names it sent (seed 001 only compared counts, after double-nesting the body). Metrics count
 * operations, not variables: seed 001's "encryption success rate" divided encrypted variables by
 * successes, which measures nothing.
 */
import type { ApiResponse, CxdaClient } from "../client/types.js";
import { type StoredVariable, validateVariables } from "../domain/variables.js";
import { BugError, ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";

/** One variable as written; `encrypted` defaults to false and `scope` to the level written to. */
export interface VariableInput {
  name: string;
  type: "string" | "integer" | "boolean" | "object";
  value: string;
  encrypted?: boolean;
  scope?: "action" | "global";
}

export interface ActionVariables {
  actionId: string;
  version: number;
  variables: StoredVariable[];
}

export interface GlobalVariables {
  version: number;
  variables: StoredVariable[];
}

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

const actionPath = (id: string) => `/dataactions/${encodeURIComponent(id)}/variables`;
const GLOBAL_PATH = "/variables";

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
      `The server answered a value for the encrypted variable${leaked.length === 1 ? "" : "s"} ${leaked.join(", ")}; secrets must come back as null (SPEC §5).`,
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

function outcome(result: RegisterVariablesResult, response: ApiResponse<unknown>, sent: VariableInput[]) {
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

/** Replaces an action's variables (SPEC §5) with the version read; verifies what the server stored. */
export async function registerVariables(
  ctx: WorkflowContext,
  ref: string,
  list: readonly VariableInput[],
): Promise<RegisterVariablesResult> {
  return measured(
    ctx,
    (r) => ({ count: r.unchanged ? 0 : r.count, encrypted: r.unchanged ? 0 : r.encryptedCount }),
    () =>
      recorded(ctx, { operation: "variables.set", target: { name: ref } }, async () => {
        const sent = checked(ctx.client, list, "action");
        const action = await ctx.client.actions.resolve(ref);
        const current = await ctx.client.request<ActionVariables>("GET", actionPath(action.id));
        const response = await ctx.client.request<ActionVariables>("PUT", actionPath(action.id), {
          body: { variables: sent, version: current.body.version },
        });
        const variables = verifyStored(sent, response.body, response.requestId);
        const result: RegisterVariablesResult = {
          actionId: action.id,
          actionName: action.name,
          scope: "action",
          version: response.body.version,
          variables,
          count: variables.length,
          encryptedCount: variables.filter((v) => v.encrypted).length,
          unchanged: response.body.version === current.body.version,
        };
        return outcome(result, response, sent);
      }),
  );
}

export async function getVariables(
  ctx: WorkflowContext,
  ref: string,
): Promise<ActionVariables & { actionName: string }> {
  const action = await ctx.client.actions.resolve(ref);
  const response = await ctx.client.request<ActionVariables>("GET", actionPath(action.id));
  return { ...response.body, actionName: action.name };
}

export async function getGlobalVariables(ctx: WorkflowContext): Promise<GlobalVariables> {
  return (await ctx.client.request<GlobalVariables>("GET", GLOBAL_PATH)).body;
}

/** Replaces the tenant's global variables (SPEC §5.1; needs dataactions:admin). */
export async function setGlobalVariables(
  ctx: WorkflowContext,
  list: readonly VariableInput[],
): Promise<RegisterVariablesResult> {
  return measured(
    ctx,
    (r) => ({ count: r.unchanged ? 0 : r.count, encrypted: r.unchanged ? 0 : r.encryptedCount }),
    () =>
      recorded(ctx, { operation: "variables.global.set", target: { name: "(global)" } }, async () => {
        const sent = checked(ctx.client, list, "global");
        const current = await ctx.client.request<GlobalVariables>("GET", GLOBAL_PATH);
        const response = await ctx.client.request<GlobalVariables>("PUT", GLOBAL_PATH, {
          body: { variables: sent, version: current.body.version },
        });
        const variables = verifyStored(sent, response.body, response.requestId);
        const result: RegisterVariablesResult = {
          scope: "global",
          version: response.body.version,
          variables,
          count: variables.length,
          encryptedCount: variables.filter((v) => v.encrypted).length,
          unchanged: response.body.version === current.body.version,
        };
        return outcome(result, response, sent);
      }),
  );
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
  const keys = (
    await ctx.client.request<{ activeKeyId: string; keys: RotationCheckResult["keys"] }>("GET", "/keys")
  ).body;
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
    const pages = ctx.client.paginate<{ id: string; name: string; variables?: ActionVariables }>(
      "/dataactions",
      { expand: "variables" },
      { pageSize: 100 },
    );
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

/** Re-encrypts an action's secrets under the active key (SPEC §5; needs dataactions:admin). */
export async function reencrypt(ctx: WorkflowContext, ref: string): Promise<ReencryptResult> {
  return recorded(ctx, { operation: "variables.reencrypt", target: { name: ref } }, async () => {
    const action = await ctx.client.actions.resolve(ref);
    const response = await ctx.client.request<
      ActionVariables & { activeKeyId: string; reencrypted: string[] }
    >("POST", `${actionPath(action.id)}/reencrypt`, { body: {} });
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
    };
  });
}

/** Re-encrypts the tenant's global secrets under the active key. */
export async function reencryptGlobalVariables(ctx: WorkflowContext): Promise<ReencryptResult> {
  return recorded(
    ctx,
    { operation: "variables.global.reencrypt", target: { name: "(global)" } },
    async () => {
      const response = await ctx.client.request<
        GlobalVariables & { activeKeyId: string; reencrypted: string[] }
      >("POST", `${GLOBAL_PATH}/reencrypt`, { body: {} });
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
      };
    },
  );
}

/** Rotates the tenant's data key (needs dataactions:admin); old keys stay until secrets move. */
export async function rotateKey(
  ctx: WorkflowContext,
): Promise<{ activeKeyId: string; previousKeyId: string; keys: RotationCheckResult["keys"] }> {
  return recorded(ctx, { operation: "keys.rotate" }, async () => {
    const response = await ctx.client.request<{
      activeKeyId: string;
      previousKeyId: string;
      keys: RotationCheckResult["keys"];
    }>("POST", "/keys/rotate", { body: {} });
    return { value: response.body, response, details: { activeKeyId: response.body.activeKeyId } };
  });
}
