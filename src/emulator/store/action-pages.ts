/**
 * The action list, read page by page without offset scans (bench B7: page 1 000 of 100 000 actions
 * answered like page 1). The API keeps `page`/`pageSize`; here a page's row offset becomes a keyset
 * seek: every STRIDE-th position of the list order (created_ts, id) is remembered as a mark, and a
 * page is read by seeking past the nearest mark, then skipping fewer than STRIDE index entries.
 *
 * Marks and the total are exact for one state of the tenant: they are kept per tenant and filter,
 * stamped with the tenant revision, dropped by every write of an action through the store and by a
 * revision change (writes made any other way), and never kept from inside a transaction that wrote
 * to the tenant (it could roll back). A missing mark is found by one skip over the covering index
 * from the nearest known mark (the cost of one COUNT), then kept; reading pages in order finds each
 * next mark in the page just read.
 */
import { byDialect, type SqlDatabase, type SqlStatement } from "./sql.js";
import type { ActionListQuery } from "./store.js";

/** Positions between two marks; the largest page size, so a sequential reader never skips. */
const STRIDE = 100;
/** Tenants whose list state is kept (the least recently used is dropped first). */
const TENANTS_KEPT = 256;
/** Filter combinations kept per tenant (the oldest is dropped first). */
const FILTERS_KEPT = 16;

/** A row's place in the list order. */
type Position = readonly [createdTs: number, id: string];

interface ListState {
  revision: number;
  total: number;
  /** marks[k] = the position of row k·STRIDE − 1 (k ≥ 1); undefined until found. */
  marks: (Position | undefined)[];
}

interface PositionRow {
  created_ts: number;
  id: string;
}

interface Filtered {
  rowsFromStart: SqlStatement;
  rowsAfter: SqlStatement;
  positionFromStart: SqlStatement<PositionRow>;
  positionAfter: SqlStatement<PositionRow>;
  count: SqlStatement<{ n: number }>;
}

const positionOf = (row: PositionRow | undefined): Position | undefined =>
  row === undefined ? undefined : [row.created_ts, row.id];

export interface ActionPages<Row> {
  list(tenantId: string, query: ActionListQuery): { rows: Row[]; total: number };
  /** An action of the tenant was written: its list state is stale. */
  changed(tenantId: string): void;
  clear(): void;
}

export function createActionPages<Row>(
  db: SqlDatabase,
  revisionOf: (tenantId: string) => number,
  hasUncommittedWrite: (tenantId: string) => boolean,
): ActionPages<Row> {
  const filtered = (where: string): Filtered => {
    const base = `FROM actions WHERE tenant_id = ?${where}`;
    const after = `${base} AND (created_ts, id) > (?, ?)`;
    const order = "ORDER BY created_ts, id LIMIT ? OFFSET ?";
    return {
      rowsFromStart: db.prepare(`SELECT * ${base} ${order}`),
      rowsAfter: db.prepare(`SELECT * ${after} ${order}`),
      positionFromStart: db.prepare<PositionRow>(`SELECT created_ts, id ${base} ${order}`),
      positionAfter: db.prepare<PositionRow>(`SELECT created_ts, id ${after} ${order}`),
      count: db.prepare<{ n: number }>(`SELECT COUNT(*) AS n ${base}`),
    };
  };
  const contains = byDialect(db, {
    sqlite: "instr(lower(name), lower(?)) > 0",
    postgres: "strpos(lower(name), lower(?)) > 0",
  });
  const statements = {
    all: filtered(""),
    name: filtered(" AND name = ?"),
    contains: filtered(` AND ${contains}`),
    both: filtered(` AND name = ? AND ${contains}`),
  };
  const states = new Map<string, Map<string, ListState>>();

  const stateOf = (tenantId: string, filterKey: string, s: Filtered, filters: string[]): ListState => {
    const revision = revisionOf(tenantId);
    let perTenant = states.get(tenantId);
    const kept = perTenant?.get(filterKey);
    if (kept !== undefined && kept.revision === revision) {
      states.delete(tenantId); // most recently used last
      states.set(tenantId, perTenant!);
      return kept;
    }
    const state: ListState = { revision, total: s.count.get(tenantId, ...filters)!.n, marks: [] };
    if (db.inTransaction && hasUncommittedWrite(tenantId)) return state;
    if (perTenant === undefined) {
      if (states.size >= TENANTS_KEPT) states.delete(states.keys().next().value!);
      perTenant = new Map();
    }
    states.delete(tenantId);
    states.set(tenantId, perTenant);
    perTenant.delete(filterKey);
    if (perTenant.size >= FILTERS_KEPT) perTenant.delete(perTenant.keys().next().value!);
    perTenant.set(filterKey, state);
    return state;
  };

  /** The position of row k·STRIDE − 1 (k ≥ 1), or undefined past the end. */
  const markOf = (state: ListState, k: number, s: Filtered, head: string[]): Position | undefined => {
    const known = state.marks[k];
    if (known !== undefined) return known;
    let j = k - 1;
    while (j > 0 && state.marks[j] === undefined) j--;
    const skip = (k - j) * STRIDE - 1;
    const found = positionOf(
      j === 0
        ? s.positionFromStart.get(...head, 1, skip)
        : s.positionAfter.get(...head, ...state.marks[j]!, 1, skip),
    );
    if (found !== undefined) state.marks[k] = found;
    return found;
  };

  return {
    list: (tenantId, query) => {
      const filters: string[] = [];
      if (query.name !== undefined) filters.push(query.name);
      if (query.nameContains !== undefined) filters.push(query.nameContains);
      const kind =
        query.name !== undefined && query.nameContains !== undefined
          ? "both"
          : query.name !== undefined
            ? "name"
            : query.nameContains !== undefined
              ? "contains"
              : "all";
      const s = statements[kind];
      const head = [tenantId, ...filters];
      const state = stateOf(tenantId, `${kind}\u0000${filters.join("\u0000")}`, s, filters);
      if (query.offset >= state.total || query.limit <= 0) return { rows: [], total: state.total };
      const k = Math.floor(query.offset / STRIDE);
      const mark = k === 0 ? undefined : markOf(state, k, s, head);
      const rows = (
        mark === undefined
          ? s.rowsFromStart.all(...head, query.limit, query.offset)
          : s.rowsAfter.all(...head, ...mark, query.limit, query.offset - k * STRIDE)
      ) as (Row & { created_ts: number; id: string })[];
      // The next mark, when this page holds its row: readers going page by page never skip.
      const next = (k + 1) * STRIDE - 1 - query.offset;
      const row = rows[next];
      if (row !== undefined && state.marks[k + 1] === undefined)
        state.marks[k + 1] = [row.created_ts, row.id];
      return { rows, total: state.total };
    },
    changed: (tenantId) => {
      states.delete(tenantId);
    },
    clear: () => states.clear(),
  };
}
