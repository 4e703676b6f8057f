/**
 * Deployments (docs/api.md "Deployments"): the tenant's committed changes, newest first, and their
 * rollback. A rollback dry run reads the deployment and the tenant's current versions (one snapshot when
 * advertised) and says, per resource, what would be restored and which ones changed since (those make
 * the real rollback answer 409 `rollback-conflict` unless forced). A rollback is audited and emits
 * `deployment.rolled_back`, with names and versions only.
 */
import type {
  Deployment,
  DeploymentResource,
  DeploymentSummary,
  LastDeployment,
  RollbackResult,
} from "../client/resources/deployments.js";
import { CxdaError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";

/** What rolling one resource back would do. */
export interface RollbackStep {
  resource: DeploymentResource;
  /** `delete` (the deployment created it), `recreate` (it deleted it), `restore` (back to beforeVersion). */
  action: "delete" | "recreate" | "restore";
  /** The version now; null when the resource does not exist now; undefined when it could not be read. */
  currentVersion: number | null | undefined;
  /** It changed since the deployment: the rollback is refused for it unless forced. */
  conflict: boolean;
}

export interface RollbackPlan {
  deployment: Deployment;
  steps: RollbackStep[];
  conflicts: number;
}

export interface RollbackOutcome {
  deploymentId: string;
  rollback: RollbackResult;
  force: boolean;
  actions: string[];
}

async function requireDeployments(ctx: WorkflowContext): Promise<void> {
  if (!(await ctx.client.deployments.available()))
    throw new CxdaError(
      "this server does not record deployments (GET /api/v2 does not list 'deployments'); deployments, history and rollback need a server that has them",
      { slug: "capability-missing" },
    );
}

/** The newest `limit` deployments (every one when absent), newest first. */
export async function listDeployments(
  ctx: WorkflowContext,
  options: { limit?: number } = {},
): Promise<DeploymentSummary[]> {
  await requireDeployments(ctx);
  const out: DeploymentSummary[] = [];
  for await (const d of ctx.client.deployments.list({ pageSize: 100 })) {
    out.push(d);
    if (options.limit !== undefined && out.length >= options.limit) break;
  }
  return out;
}

export async function getDeployment(ctx: WorkflowContext, id: string): Promise<Deployment> {
  await requireDeployments(ctx);
  return (await ctx.client.deployments.get(id)).body;
}

/** Action id → the newest kept deployment that touched it (its configuration, variables or overrides). */
export async function lastDeploymentByAction(ctx: WorkflowContext): Promise<Map<string, LastDeployment>> {
  await requireDeployments(ctx);
  const { entities } = (await ctx.client.deployments.lastByAction()).body;
  return new Map(entities.map((e) => [e.actionId, e]));
}

type VersionOf = (r: DeploymentResource) => number | null | undefined;

/** The tenant's current version of each kind of resource, from one snapshot (or per resource otherwise). */
async function currentVersions(
  ctx: WorkflowContext,
  resources: readonly DeploymentResource[],
): Promise<VersionOf> {
  if (await ctx.client.snapshot.available()) {
    const snapshot = await ctx.client.snapshot.read();
    const byId = new Map(snapshot.actions.map((a) => [a.action.id, a]));
    const byName = new Map(snapshot.actions.map((a) => [a.action.name, a]));
    return (r) => {
      const line =
        (r.actionId ? byId.get(r.actionId) : undefined) ?? (r.name ? byName.get(r.name) : undefined);
      switch (r.kind) {
        case "globalVariables":
          return snapshot.globals.version;
        case "variables":
          return line ? line.variables.version : null;
        case "overrides":
          return line ? (line.overrides[r.environmentId ?? ""]?.version ?? null) : null;
        default:
          return line ? Number(line.action.version) : null;
      }
    };
  }
  const versions = new Map<string, number | null>();
  for (const r of resources) {
    if (r.kind !== "action" || !r.actionId) continue;
    try {
      versions.set(r.actionId, (await ctx.client.actions.get(r.actionId)).body.version);
    } catch {
      versions.set(r.actionId, null);
    }
  }
  return (r) => (r.kind === "action" && r.actionId ? versions.get(r.actionId) : undefined);
}

/** What a rollback of deployment `id` would restore, and which resources changed since. Sends nothing. */
export async function planRollback(ctx: WorkflowContext, id: string): Promise<RollbackPlan> {
  const deployment = await getDeployment(ctx, id);
  const versionOf = await currentVersions(ctx, deployment.resources);
  const steps = deployment.resources.map((resource): RollbackStep => {
    const currentVersion = versionOf(resource);
    const action: RollbackStep["action"] =
      resource.beforeVersion === null ? "delete" : resource.afterVersion === null ? "recreate" : "restore";
    const conflict =
      currentVersion !== undefined &&
      (resource.afterVersion === null ? currentVersion !== null : currentVersion !== resource.afterVersion);
    return { resource, action, currentVersion, conflict };
  });
  return { deployment, steps, conflicts: steps.filter((s) => s.conflict).length };
}

/** Rolls deployment `id` back (a new changeset; 409 `rollback-conflict` naming what changed since, unless `force`). */
export async function rollbackDeployment(
  ctx: WorkflowContext,
  id: string,
  options: { force?: boolean; description?: string } = {},
): Promise<RollbackOutcome> {
  await requireDeployments(ctx);
  const force = options.force === true;
  return recorded(ctx, { operation: "deployments.rollback", target: { id } }, async () => {
    const deployment = (await ctx.client.deployments.get(id)).body;
    const actions = [
      ...new Set(deployment.resources.map((r) => r.name).filter((n): n is string => typeof n === "string")),
    ];
    const response = await ctx.client.deployments.rollback(id, {
      force,
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    const body = response.body;
    return {
      value: { deploymentId: id, rollback: body, force, actions },
      response,
      counts: { resources: deployment.resources.length },
      names: { actions },
      details: { rollbackDeploymentId: body.deploymentId, revision: body.revision, force },
      event: (latencyMs) => ({
        type: "deployment.rolled_back",
        data: {
          deploymentId: id,
          rollbackDeploymentId: body.deploymentId,
          revision: body.revision,
          force,
          actions,
          latencyMs,
        },
      }),
    };
  });
}
