/**
 * What the emulator remembers of past writes, tenant-scoped: deployments (one per committed write or
 * changeset, with what is needed to restore each resource's state before it), action revisions (each
 * version of each action as stored, kept after the action is deleted), and open staged changesets with
 * their batches. Stored forms only: sealed header values and secrets as ciphertext, never plaintext.
 */
import type { StoredOverrideItem } from "./overrides-repository.js";
import type { SqlDatabase } from "./sql.js";
import type { StoredVariableItem } from "./variables-repository.js";

export type ResourceKind = "action" | "variables" | "overrides" | "globalVariables";

/** The doc of a revision that is the action's current version: read from the action's row. */
export const SAME_AS_ACTION = "";

/** One resource a deployment touched, as `GET /deployments/{id}` shows it. */
export interface DeploymentResource {
  kind: ResourceKind;
  /** Absent for global variables. */
  actionId?: string;
  /** The action's name (after the deployment, or before it when it deleted the action). */
  name?: string;
  environmentId?: string;
  /** null: the resource did not exist before (or after) the deployment. */
  beforeVersion: number | null;
  afterVersion: number | null;
}

/** The stored state of a resource before a deployment (null: it did not exist). */
export type BeforeState =
  | { kind: "action"; doc: string }
  | { kind: "variables" | "globalVariables"; items: StoredVariableItem[] }
  | { kind: "overrides"; items: StoredOverrideItem[] };

export interface DeploymentSummary {
  id: string;
  revision: number;
  createdTimestamp: number;
  clientId: string | null;
  description: string;
  counts: { created: number; updated: number; deleted: number };
  /** The deployment this one rolled back, when it is a rollback. */
  rollbackOf?: string;
  changesetId?: string;
}

export interface DeploymentRecord extends DeploymentSummary {
  tenantId: string;
  resources: DeploymentResource[];
  /** Same order as `resources`: each one's state before the deployment. */
  before: (BeforeState | null)[];
}

/** The newest deployment that touched an action. */
export interface LastDeployment {
  actionId: string;
  /** The action's name as that deployment left it (or had it, when it deleted the action). */
  name: string | null;
  deploymentId: string;
  createdTimestamp: number;
  clientId: string | null;
}

export interface ActionRevision {
  actionId: string;
  version: number;
  modifiedTimestamp: number;
  clientId: string | null;
  deploymentId: string | null;
  /** The action resource as stored at that version (credential headers sealed). */
  doc: string;
}

export type ChangesetStatus = "OPEN" | "COMMITTED";

export interface StagedChangeset {
  tenantId: string;
  id: string;
  status: ChangesetStatus;
  baseRevision: number | null;
  description: string;
  clientId: string | null;
  createdTimestamp: number;
  expiresTimestamp: number;
  /** The commit's answer (JSON text), once committed. */
  result: string | null;
}

export interface ChangesetBatch {
  sequence: number;
  fingerprint: string;
  /** The batch's operations as JSON text. */
  operations: string;
}

export interface HistoryRepository {
  insertDeployment(record: DeploymentRecord): void;
  getDeployment(tenantId: string, id: string): DeploymentRecord | undefined;
  /** Newest first. */
  listDeployments(
    tenantId: string,
    offset: number,
    limit: number,
  ): { rows: DeploymentSummary[]; total: number };
  /** Forgets the tenant's deployments beyond the newest `keep`. */
  pruneDeployments(tenantId: string, keep: number): void;
  /**
   * For each action a kept deployment touched (its configuration, variables or overrides): the newest
   * such deployment. Reads every kept deployment's resource list once (bounded by the retention).
   */
  lastDeploymentByAction(tenantId: string): Map<string, LastDeployment>;

  /**
   * Records a revision. Its `doc` may be SAME_AS_ACTION: the action's own row holds that version's doc
   * (stored once, not twice: bench B7 holds 100 000 actions in memory), until `keepRevisionDoc` copies it
   * in before the row changes or goes.
   */
  putRevision(tenantId: string, revision: ActionRevision): void;
  /** Stores the doc of a revision recorded as SAME_AS_ACTION (the action's row is about to change or go). */
  keepRevisionDoc(tenantId: string, actionId: string, version: number, doc: string): void;
  getRevision(tenantId: string, actionId: string, version: number): ActionRevision | undefined;
  /** Newest first, without docs. */
  listRevisions(
    tenantId: string,
    actionId: string,
    offset: number,
    limit: number,
  ): { rows: Omit<ActionRevision, "doc">[]; total: number };
  /** The lowest and highest version kept for the action, or undefined when none is. */
  revisionRange(tenantId: string, actionId: string): { min: number; max: number } | undefined;
  /** Forgets the action's revisions older than its newest `keep`. */
  pruneRevisions(tenantId: string, actionId: string, keep: number): void;

  putChangeset(changeset: StagedChangeset): void;
  getChangeset(tenantId: string, id: string): StagedChangeset | undefined;
  getBatch(tenantId: string, changesetId: string, sequence: number): ChangesetBatch | undefined;
  putBatch(tenantId: string, changesetId: string, batch: ChangesetBatch): void;
  /** Ordered by sequence. */
  listBatches(tenantId: string, changesetId: string): ChangesetBatch[];
  /** Drops open changesets (and their batches) that expired before `cutoff`. */
  purgeExpiredChangesets(cutoff: number): void;
}

export const HISTORY_TABLES = ["deployments", "action_revisions", "changeset_batches", "changesets"] as const;

export const HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS deployments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_ts INTEGER NOT NULL,
  client_id TEXT,
  description TEXT NOT NULL,
  counts TEXT NOT NULL,
  extra TEXT NOT NULL,
  resources TEXT NOT NULL,
  before TEXT NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS deployments_order ON deployments (tenant_id, seq);
CREATE TABLE IF NOT EXISTS action_revisions (
  tenant_id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  modified_ts INTEGER NOT NULL,
  client_id TEXT,
  deployment_id TEXT,
  doc TEXT NOT NULL,
  PRIMARY KEY (tenant_id, action_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changesets (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  status TEXT NOT NULL,
  base_revision INTEGER,
  description TEXT NOT NULL,
  client_id TEXT,
  created_ts INTEGER NOT NULL,
  expires_ts INTEGER NOT NULL,
  result TEXT,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changeset_batches (
  tenant_id TEXT NOT NULL,
  changeset_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  operations TEXT NOT NULL,
  PRIMARY KEY (tenant_id, changeset_id, sequence)
) WITHOUT ROWID;
`;

interface DeploymentRow {
  tenant_id: string;
  id: string;
  revision: number;
  created_ts: number;
  client_id: string | null;
  description: string;
  counts: string;
  extra: string;
  resources: string;
  before: string;
}

function summaryOf(row: Omit<DeploymentRow, "resources" | "before">): DeploymentSummary {
  return {
    id: row.id,
    revision: row.revision,
    createdTimestamp: row.created_ts,
    clientId: row.client_id,
    description: row.description,
    counts: JSON.parse(row.counts) as DeploymentSummary["counts"],
    ...(JSON.parse(row.extra) as Pick<DeploymentSummary, "rollbackOf" | "changesetId">),
  };
}

interface ChangesetRow {
  tenant_id: string;
  id: string;
  status: ChangesetStatus;
  base_revision: number | null;
  description: string;
  client_id: string | null;
  created_ts: number;
  expires_ts: number;
  result: string | null;
}

export function createHistoryRepository(db: SqlDatabase): HistoryRepository {
  const summaryColumns = "tenant_id, id, revision, created_ts, client_id, description, counts, extra";
  const q = {
    insertDeployment: db.prepare(
      `INSERT INTO deployments (tenant_id, id, revision, created_ts, client_id, description, counts, extra, resources, before)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getDeployment: db.prepare<DeploymentRow>("SELECT * FROM deployments WHERE tenant_id = ? AND id = ?"),
    listDeployments: db.prepare<DeploymentRow>(
      `SELECT ${summaryColumns} FROM deployments WHERE tenant_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?`,
    ),
    deploymentResources: db.prepare<{
      id: string;
      created_ts: number;
      client_id: string | null;
      resources: string;
    }>("SELECT id, created_ts, client_id, resources FROM deployments WHERE tenant_id = ? ORDER BY seq DESC"),
    countDeployments: db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM deployments WHERE tenant_id = ?"),
    pruneDeployments: db.prepare(
      `DELETE FROM deployments WHERE tenant_id = ? AND seq <=
         (SELECT seq FROM deployments WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    ),
    putRevision: db.prepare(
      `INSERT INTO action_revisions (tenant_id, action_id, version, modified_ts, client_id, deployment_id, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, action_id, version) DO UPDATE SET modified_ts = excluded.modified_ts,
         client_id = excluded.client_id, deployment_id = excluded.deployment_id, doc = excluded.doc`,
    ),
    keepRevisionDoc: db.prepare(
      "UPDATE action_revisions SET doc = ? WHERE tenant_id = ? AND action_id = ? AND version = ? AND doc = ''",
    ),
    getRevision: db.prepare<{
      version: number;
      modified_ts: number;
      client_id: string | null;
      deployment_id: string | null;
      doc: string | null;
    }>(
      `SELECT r.version, r.modified_ts, r.client_id, r.deployment_id,
              CASE WHEN r.doc = '' THEN a.doc ELSE r.doc END AS doc
         FROM action_revisions r
         LEFT JOIN actions a ON a.tenant_id = r.tenant_id AND a.id = r.action_id AND a.version = r.version
        WHERE r.tenant_id = ? AND r.action_id = ? AND r.version = ?`,
    ),
    listRevisions: db.prepare<{
      version: number;
      modified_ts: number;
      client_id: string | null;
      deployment_id: string | null;
    }>(
      `SELECT version, modified_ts, client_id, deployment_id FROM action_revisions
       WHERE tenant_id = ? AND action_id = ? ORDER BY version DESC LIMIT ? OFFSET ?`,
    ),
    revisionRange: db.prepare<{ lo: number | null; hi: number | null; n: number }>(
      "SELECT MIN(version) AS lo, MAX(version) AS hi, COUNT(*) AS n FROM action_revisions WHERE tenant_id = ? AND action_id = ?",
    ),
    pruneRevisions: db.prepare(
      `DELETE FROM action_revisions WHERE tenant_id = ? AND action_id = ? AND version <=
         (SELECT version FROM action_revisions WHERE tenant_id = ? AND action_id = ? ORDER BY version DESC LIMIT 1 OFFSET ?)`,
    ),
    putChangeset: db.prepare(
      `INSERT INTO changesets (tenant_id, id, status, base_revision, description, client_id, created_ts, expires_ts, result)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, base_revision = excluded.base_revision,
         description = excluded.description, client_id = excluded.client_id, created_ts = excluded.created_ts,
         expires_ts = excluded.expires_ts, result = excluded.result`,
    ),
    getChangeset: db.prepare<ChangesetRow>("SELECT * FROM changesets WHERE tenant_id = ? AND id = ?"),
    getBatch: db.prepare<ChangesetBatch>(
      "SELECT sequence, fingerprint, operations FROM changeset_batches WHERE tenant_id = ? AND changeset_id = ? AND sequence = ?",
    ),
    putBatch: db.prepare(
      "INSERT INTO changeset_batches (tenant_id, changeset_id, sequence, fingerprint, operations) VALUES (?, ?, ?, ?, ?)",
    ),
    listBatches: db.prepare<ChangesetBatch>(
      "SELECT sequence, fingerprint, operations FROM changeset_batches WHERE tenant_id = ? AND changeset_id = ? ORDER BY sequence",
    ),
    purgeBatches: db.prepare(
      `DELETE FROM changeset_batches WHERE EXISTS (SELECT 1 FROM changesets c WHERE c.tenant_id = changeset_batches.tenant_id
         AND c.id = changeset_batches.changeset_id AND c.status = 'OPEN' AND c.expires_ts < ?)`,
    ),
    purgeChangesets: db.prepare("DELETE FROM changesets WHERE status = 'OPEN' AND expires_ts < ?"),
    deleteBatches: db.prepare("DELETE FROM changeset_batches WHERE tenant_id = ? AND changeset_id = ?"),
  };
  return {
    insertDeployment: (r) => {
      q.insertDeployment.run(
        r.tenantId,
        r.id,
        r.revision,
        r.createdTimestamp,
        r.clientId,
        r.description,
        JSON.stringify(r.counts),
        JSON.stringify({
          ...(r.rollbackOf === undefined ? {} : { rollbackOf: r.rollbackOf }),
          ...(r.changesetId === undefined ? {} : { changesetId: r.changesetId }),
        }),
        JSON.stringify(r.resources),
        JSON.stringify(r.before),
      );
    },
    getDeployment: (tenantId, id) => {
      const row = q.getDeployment.get(tenantId, id);
      if (!row) return undefined;
      return {
        ...summaryOf(row),
        tenantId,
        resources: JSON.parse(row.resources) as DeploymentResource[],
        before: JSON.parse(row.before) as (BeforeState | null)[],
      };
    },
    listDeployments: (tenantId, offset, limit) => ({
      rows: q.listDeployments.all(tenantId, limit, offset).map(summaryOf),
      total: q.countDeployments.get(tenantId)?.n ?? 0,
    }),
    pruneDeployments: (tenantId, keep) => {
      q.pruneDeployments.run(tenantId, tenantId, keep);
    },
    lastDeploymentByAction: (tenantId) => {
      const last = new Map<string, LastDeployment>();
      for (const row of q.deploymentResources.all(tenantId))
        for (const r of JSON.parse(row.resources) as DeploymentResource[])
          if (r.actionId !== undefined && !last.has(r.actionId))
            last.set(r.actionId, {
              actionId: r.actionId,
              name: r.name ?? null,
              deploymentId: row.id,
              createdTimestamp: row.created_ts,
              clientId: row.client_id,
            });
      return last;
    },
    putRevision: (tenantId, r) => {
      q.putRevision.run(
        tenantId,
        r.actionId,
        r.version,
        r.modifiedTimestamp,
        r.clientId,
        r.deploymentId,
        r.doc,
      );
    },
    keepRevisionDoc: (tenantId, actionId, version, doc) => {
      q.keepRevisionDoc.run(doc, tenantId, actionId, version);
    },
    getRevision: (tenantId, actionId, version) => {
      const row = q.getRevision.get(tenantId, actionId, version);
      // A SAME_AS_ACTION revision whose row no longer has that version (written around the journal) is lost.
      if (row?.doc === null || row?.doc === "") return undefined;
      return (
        row && {
          actionId,
          version: row.version,
          modifiedTimestamp: row.modified_ts,
          clientId: row.client_id,
          deploymentId: row.deployment_id,
          doc: row.doc,
        }
      );
    },
    listRevisions: (tenantId, actionId, offset, limit) => {
      const rows = q.listRevisions.all(tenantId, actionId, limit, offset).map((row) => ({
        actionId,
        version: row.version,
        modifiedTimestamp: row.modified_ts,
        clientId: row.client_id,
        deploymentId: row.deployment_id,
      }));
      return { rows, total: q.revisionRange.get(tenantId, actionId)?.n ?? 0 };
    },
    revisionRange: (tenantId, actionId) => {
      const row = q.revisionRange.get(tenantId, actionId);
      return row && row.lo !== null && row.hi !== null ? { min: row.lo, max: row.hi } : undefined;
    },
    pruneRevisions: (tenantId, actionId, keep) => {
      q.pruneRevisions.run(tenantId, actionId, tenantId, actionId, keep);
    },
    putChangeset: (c) => {
      q.putChangeset.run(
        c.tenantId,
        c.id,
        c.status,
        c.baseRevision,
        c.description,
        c.clientId,
        c.createdTimestamp,
        c.expiresTimestamp,
        c.result,
      );
      if (c.status === "COMMITTED") q.deleteBatches.run(c.tenantId, c.id);
    },
    getChangeset: (tenantId, id) => {
      const row = q.getChangeset.get(tenantId, id);
      return (
        row && {
          tenantId,
          id: row.id,
          status: row.status,
          baseRevision: row.base_revision,
          description: row.description,
          clientId: row.client_id,
          createdTimestamp: row.created_ts,
          expiresTimestamp: row.expires_ts,
          result: row.result,
        }
      );
    },
    getBatch: (tenantId, changesetId, sequence) => q.getBatch.get(tenantId, changesetId, sequence),
    putBatch: (tenantId, changesetId, b) => {
      q.putBatch.run(tenantId, changesetId, b.sequence, b.fingerprint, b.operations);
    },
    listBatches: (tenantId, changesetId) => q.listBatches.all(tenantId, changesetId),
    purgeExpiredChangesets: (cutoff) => {
      q.purgeBatches.run(cutoff);
      q.purgeChangesets.run(cutoff);
    },
  };
}
