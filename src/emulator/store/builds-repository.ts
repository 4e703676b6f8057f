/** Builds of an action for an environment: the resource as JSON, keyed by tenant and id. */
import { byDialect, type SqlDatabase } from "./sql.js";

export type BuildStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";

export interface BuildError {
  code: string;
  message: string;
  path?: string;
}

/** What GET …/builds/{buildId} returns. */
export interface BuildResource {
  id: string;
  actionId: string;
  environmentId: string;
  status: BuildStatus;
  /** Why the build ran: an explicit request or an override write (buildOnChange). */
  trigger: "manual" | "overrides";
  createdTimestamp: number;
  startedTimestamp?: number;
  finishedTimestamp?: number;
  errors?: BuildError[];
  snapshot?: BuildSnapshot;
}

/** What a successful build recorded: the action and the effective variables, never a value. */
export interface BuildSnapshot {
  actionVersion: number;
  actionName: string;
  overridesVersion: number;
  variables: { name: string; source: string; masked: boolean; fingerprint?: string }[];
  /** `sha256:` + hex of the canonical JSON of the action and the variables' names and fingerprints. */
  contentHash: string;
}

export interface StoredBuild {
  tenantId: string;
  build: BuildResource;
}

export interface BuildRepository {
  get(tenantId: string, actionId: string, id: string): BuildResource | undefined;
  put(tenantId: string, build: BuildResource): void;
  /** An action's builds, newest first, optionally of one environment only. */
  list(
    tenantId: string,
    actionId: string,
    options: { environmentId?: string; offset: number; limit: number },
  ): { rows: BuildResource[]; total: number };
  /** Builds left QUEUED or RUNNING (e.g. by a stopped emulator), oldest first. */
  unfinished(): StoredBuild[];
  /** Removes every build of an action (the action was deleted). */
  deleteForAction(tenantId: string, actionId: string): void;
}

export const BUILDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS builds (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ts INTEGER NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS builds_unfinished ON builds (status, created_ts);
CREATE INDEX IF NOT EXISTS builds_action ON builds (tenant_id, action_id);
`;

export const BUILDS_TABLES = ["builds"] as const;

export function createBuildRepository(db: SqlDatabase): BuildRepository {
  const ofEnvironment = byDialect(db, {
    sqlite: "(? IS NULL OR json_extract(doc, '$.environmentId') = ?)",
    postgres: "(?::text IS NULL OR doc::jsonb ->> 'environmentId' = ?)",
  });
  const q = {
    get: db.prepare<{ doc: string }>(
      "SELECT doc FROM builds WHERE tenant_id = ? AND action_id = ? AND id = ?",
    ),
    put: db.prepare(
      `INSERT INTO builds (tenant_id, id, action_id, status, created_ts, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, id) DO UPDATE SET action_id = excluded.action_id, status = excluded.status,
         created_ts = excluded.created_ts, doc = excluded.doc`,
    ),
    list: db.prepare<{ doc: string }>(
      `SELECT doc FROM builds WHERE tenant_id = ? AND action_id = ?
         AND ${ofEnvironment}
       ORDER BY created_ts DESC, id LIMIT ? OFFSET ?`,
    ),
    count: db.prepare<{ n: number }>(
      `SELECT count(*) AS n FROM builds WHERE tenant_id = ? AND action_id = ?
         AND ${ofEnvironment}`,
    ),
    unfinished: db.prepare<{ tenant_id: string; doc: string }>(
      "SELECT tenant_id, doc FROM builds WHERE status IN ('QUEUED', 'RUNNING') ORDER BY created_ts, id",
    ),
    deleteForAction: db.prepare("DELETE FROM builds WHERE tenant_id = ? AND action_id = ?"),
  };
  return {
    get: (tenantId, actionId, id) => {
      const row = q.get.get(tenantId, actionId, id);
      return row && (JSON.parse(row.doc) as BuildResource);
    },
    put: (tenantId, build) => {
      q.put.run(
        tenantId,
        build.id,
        build.actionId,
        build.status,
        build.createdTimestamp,
        JSON.stringify(build),
      );
    },
    list: (tenantId, actionId, { environmentId, offset, limit }) => {
      const env = environmentId ?? null;
      return {
        rows: q.list
          .all(tenantId, actionId, env, env, limit, offset)
          .map((r) => JSON.parse(r.doc) as BuildResource),
        total: q.count.get(tenantId, actionId, env, env)?.n ?? 0,
      };
    },
    unfinished: () =>
      q.unfinished.all().map((r) => ({ tenantId: r.tenant_id, build: JSON.parse(r.doc) as BuildResource })),
    deleteForAction: (tenantId, actionId) => {
      q.deleteForAction.run(tenantId, actionId);
    },
  };
}
