/**
 * An action's history (docs/api.md "Revisions"): its versions, one version as it was, the unified diff
 * of script and configuration between two versions, and the restore of a past version as a one-operation
 * changeset whose version precondition refuses it (409) if the action moved since it was read.
 * A diff shows credential headers as `***` (as a plan does); a restore writes the values the revision
 * holds, and keeps the current value of any header a server answered masked (`***`).
 */
import type { ActionRevisionSummary } from "../client/resources/revisions.js";
import type { Action } from "../domain/action-schema.js";
import { isCredentialHeader } from "../domain/credential-header.js";
import { MASKED_PLACEHOLDER } from "../domain/overrides.js";
import { type ScriptDiff, scriptDiff } from "../domain/script-diff.js";
import { CxdaError, ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";

export interface ActionHistory {
  action: { id: string; name: string; version: number };
  /** Newest first. */
  revisions: ActionRevisionSummary[];
}

export interface RevisionDiff {
  action: { id: string; name: string };
  from: number;
  to: number;
  script: ScriptDiff;
  /** Type, description, dependencies, enabled and config as indented JSON, line by line. */
  config: ScriptDiff;
  /** Both, as one text (script first). */
  unifiedDiff: string;
}

export interface RestoreResult {
  action: { id: string; name: string };
  fromVersion: number;
  toVersion: number;
  /** The action's version after the restore. */
  version: number;
  deploymentId?: string;
  revision?: number;
  /** Credential headers the past version had masked: their current values were kept. */
  keptHeaders: string[];
}

async function requireRevisions(ctx: WorkflowContext): Promise<void> {
  if (!(await ctx.client.revisions.available()))
    throw new CxdaError(
      "this server keeps no action history (GET /api/v2 does not list 'revisions'); history, diff and rollback need a server that has it",
      { slug: "capability-missing" },
    );
}

export async function actionHistory(ctx: WorkflowContext, ref: string): Promise<ActionHistory> {
  await requireRevisions(ctx);
  const action = await ctx.client.actions.resolve(ref);
  const revisions: ActionRevisionSummary[] = [];
  for await (const r of ctx.client.revisions.list(action.id, { pageSize: 100 })) revisions.push(r);
  revisions.sort((a, b) => b.version - a.version);
  return { action: { id: action.id, name: action.name, version: action.version }, revisions };
}

export async function getActionRevision(ctx: WorkflowContext, ref: string, version: number): Promise<Action> {
  await requireRevisions(ctx);
  const action = await ctx.client.actions.resolve(ref);
  return (await ctx.client.revisions.get(action.id, version)).body;
}

/**
 * The fields of an action a diff shows beside its script, as stable indented JSON. Credential headers
 * read `***` (marked `(changed)` when `other` holds another value), as in a plan.
 */
function configText(action: Action, other: Action): string {
  const headers: Record<string, string> = {};
  const otherHeaders = other.config?.headers ?? {};
  for (const [name, value] of Object.entries(action.config?.headers ?? {}))
    headers[name] =
      isCredentialHeader(name, value) || isCredentialHeader(name, otherHeaders[name])
        ? otherHeaders[name] === undefined || otherHeaders[name] === value
          ? MASKED_PLACEHOLDER
          : `${MASKED_PLACEHOLDER} (changed)`
        : value;
  const shown = {
    type: action.type,
    description: action.description,
    enabled: action.enabled,
    dependencies: [...(action.dependencies ?? [])].sort(),
    config: sortedKeys({ ...(action.config ?? {}), headers }),
  };
  return `${JSON.stringify(shown, null, 2)}\n`;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

/** The unified diff of script and configuration from version `from` to `to` (default: the current version). */
export async function diffActionRevisions(
  ctx: WorkflowContext,
  ref: string,
  from: number,
  to?: number,
): Promise<RevisionDiff> {
  await requireRevisions(ctx);
  const current = await ctx.client.actions.resolve(ref);
  const target = to ?? current.version;
  const read = async (version: number): Promise<Action> =>
    version === current.version ? current : (await ctx.client.revisions.get(current.id, version)).body;
  const [before, after] = await Promise.all([read(from), read(target)]);
  const names = (what: string) => ({
    before: `${current.name}@${from}/${what}`,
    after: `${current.name}@${target}/${what}`,
  });
  const script = scriptDiff(before.script?.content ?? "", after.script?.content ?? "", names("script"));
  const config = scriptDiff(configText(before, after), configText(after, before), names("config.json"));
  return {
    action: { id: current.id, name: current.name },
    from,
    to: target,
    script,
    config,
    unifiedDiff: `${script.unifiedDiff}${config.unifiedDiff}`,
  };
}

/** The merge patch that makes `current` what `past` was; masked credential headers keep their current value. */
export function restorePatch(
  past: Action,
  current: Action,
): { patch: Record<string, unknown>; kept: string[] } {
  const kept: string[] = [];
  const headers: Record<string, string | null> = {};
  const pastHeaders = past.config?.headers ?? {};
  for (const [name, value] of Object.entries(pastHeaders)) {
    if (value === MASKED_PLACEHOLDER) kept.push(name);
    else headers[name] = value;
  }
  for (const name of Object.keys(current.config?.headers ?? {}))
    if (!Object.hasOwn(pastHeaders, name)) headers[name] = null;
  return {
    patch: {
      type: past.type,
      description: past.description,
      enabled: past.enabled,
      script: past.script ?? null,
      dependencies: [...(past.dependencies ?? [])],
      config: {
        request: past.config?.request ?? null,
        dateProcessing: past.config?.dateProcessing ?? null,
        headers,
      },
    },
    kept,
  };
}

/**
 * Restores action `ref` to version `toVersion`: one `updateAction` in a changeset (or one PATCH from a
 * server without changesets), with the version read as precondition.
 */
export async function restoreActionRevision(
  ctx: WorkflowContext,
  ref: string,
  toVersion: number,
  options: { description?: string } = {},
): Promise<RestoreResult> {
  await requireRevisions(ctx);
  return recorded(ctx, { operation: "actions.rollback", target: { name: ref } }, async () => {
    const current = await ctx.client.actions.resolve(ref);
    if (toVersion === current.version)
      throw new ValidationError(
        `${current.name} is at version ${toVersion} already; name an earlier version (cxda history ${current.name} lists them)`,
        {
          slug: "validation-failed",
          issues: [{ path: "toVersion", code: "validation-failed", message: "is the current version" }],
        },
      );
    const past = (await ctx.client.revisions.get(current.id, toVersion)).body;
    const { patch, kept } = restorePatch(past, current);
    const description = options.description ?? `cxda rollback ${current.name} --to-version ${toVersion}`;
    let version: number;
    let deploymentId: string | undefined;
    let revision: number | undefined;
    let response: { status: number; attempts: number; requestId?: string; idempotencyKey?: string };
    if (await ctx.client.changesets.available()) {
      const res = await ctx.client.changesets.create({
        description,
        operations: [{ op: "updateAction", ref: current.id, version: current.version, patch }],
      });
      response = res;
      deploymentId = res.body.deploymentId;
      revision = res.body.revision;
      version = res.body.results[0]?.version ?? current.version + 1;
    } else {
      const res = await ctx.client.actions.patch(current.id, patch, { version: current.version });
      response = res;
      version = res.body.version;
    }
    const result: RestoreResult = {
      action: { id: current.id, name: current.name },
      fromVersion: current.version,
      toVersion,
      version,
      ...(deploymentId === undefined ? {} : { deploymentId }),
      ...(revision === undefined ? {} : { revision }),
      keptHeaders: kept,
    };
    return {
      value: result,
      response,
      target: { id: current.id, name: current.name },
      counts: { fromVersion: current.version, toVersion, version },
      ...(kept.length > 0 ? { names: { keptHeaders: kept } } : {}),
      ...(deploymentId === undefined ? {} : { details: { deploymentId, revision } }),
      event: (latencyMs) => ({
        type: "deployment.rolled_back",
        data: {
          rollbackDeploymentId: deploymentId ?? "",
          revision: revision ?? 0,
          force: false,
          actionId: current.id,
          actionName: current.name,
          toVersion,
          actions: [current.name],
          latencyMs,
        },
      }),
    };
  });
}
