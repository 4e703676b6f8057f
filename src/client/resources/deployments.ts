/**
 * `/deployments` (docs/api.md "Deployments"): every committed change of the tenant, newest first, with
 * per resource its version before and after (never a secret value), and the rollback of one.
 */
import type { CapabilitiesReader } from "../capabilities.js";
import type { ApiResponse, Requester } from "../request-types.js";

export interface DeploymentCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface DeploymentSummary {
  id: string;
  revision: number;
  /** Epoch milliseconds. */
  createdTimestamp: number;
  clientId: string;
  description?: string | null;
  counts: DeploymentCounts;
}

/** A resource a deployment touched: `action`, `variables`, `overrides` or `globalVariables`. */
export interface DeploymentResource {
  kind: string;
  actionId?: string | null;
  name?: string | null;
  environmentId?: string | null;
  /** null when the deployment created it. */
  beforeVersion: number | null;
  /** null when the deployment deleted it. */
  afterVersion: number | null;
}

export interface Deployment extends DeploymentSummary {
  resources: DeploymentResource[];
}

/** The newest deployment that touched an action (its configuration, variables or overrides). */
export interface LastDeployment {
  actionId: string;
  /** The action's name as that deployment left it. */
  name: string | null;
  deploymentId: string;
  /** Epoch milliseconds. */
  createdTimestamp: number;
  clientId: string | null;
}

export interface RollbackOptions {
  /** Restore even the resources changed since the deployment (default: 409 `rollback-conflict`). */
  force?: boolean;
  description?: string;
  /** Reused by every retry; a random one by default. */
  idempotencyKey?: string;
}

/** The rollback's own changeset. */
export interface RollbackResult {
  id: string;
  revision: number;
  deploymentId: string;
  results?: unknown[];
}

export interface DeploymentsResource {
  /** True when the server advertises `deployments`. */
  available(): Promise<boolean>;
  /** Newest first, every page. */
  list(options?: { pageSize?: number }): AsyncIterable<DeploymentSummary>;
  get(id: string): Promise<ApiResponse<Deployment>>;
  /** Per action, the newest kept deployment that touched it (one request; untouched actions are absent). */
  lastByAction(): Promise<ApiResponse<{ entities: LastDeployment[] }>>;
  rollback(id: string, options?: RollbackOptions): Promise<ApiResponse<RollbackResult>>;
}

const PATH = "/deployments";

export function deploymentsResource(
  client: Requester,
  capabilities: CapabilitiesReader,
): DeploymentsResource {
  const path = (id: string) => `${PATH}/${encodeURIComponent(id)}`;
  return {
    available: () => capabilities.has("deployments"),
    list: (options = {}) =>
      client.paginate<DeploymentSummary>(
        PATH,
        {},
        options.pageSize === undefined ? {} : { pageSize: options.pageSize },
      ),
    get: (id) => client.request<Deployment>("GET", path(id)),
    lastByAction: () => client.request<{ entities: LastDeployment[] }>("GET", `${PATH}/by-action`),
    rollback: (id, options = {}) =>
      client.request<RollbackResult>("POST", `${path(id)}/rollback`, {
        body: {
          force: options.force === true,
          ...(options.description === undefined ? {} : { description: options.description }),
        },
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      }),
  };
}
