/**
 * The emulator's storage contract. Every row is scoped by tenant id, so tenants never see each other's
 * data. Implemented once over a small SQL surface (sql-store.ts) for SQLite (sqlite-store.ts, the
 * default) and PostgreSQL (postgres-store.ts, for several replicas on one database).
 */
import type { KeyStorage } from "../crypto/key-storage.js";
import type { BuildRepository } from "./builds-repository.js";
import type { HistoryRepository } from "./history-repository.js";
import type { Journal } from "./journal.js";
import type { OverrideRepository } from "./overrides-repository.js";
import type { VariableRepository } from "./variables-repository.js";

/** An action as stored: the indexed columns plus the serialized resource (`doc`, the GET body). */
export interface StoredAction {
  tenantId: string;
  id: string;
  name: string;
  version: number;
  createdTimestamp: number;
  modifiedTimestamp: number;
  locked: boolean;
  dependencies: string[];
  /**
   * The full resource as JSON text, exactly what GET returns for this version. In the database row,
   * credential-like header values are sealed; the Store the emulator uses opens them (sealed-doc.ts).
   */
  doc: string;
}

export interface ActionListQuery {
  name?: string;
  /** Case-insensitive substring of the name. */
  nameContains?: string;
  /** Zero-based row offset and row count. */
  offset: number;
  limit: number;
}

export interface ActionRepository {
  get(tenantId: string, id: string): StoredAction | undefined;
  /** The action named `name` without regard to case (names are unique that way). */
  getByName(tenantId: string, name: string): StoredAction | undefined;
  /** Ordered by createdTimestamp, then id (stable across pages). */
  list(tenantId: string, query: ActionListQuery): { rows: StoredAction[]; total: number };
  /** name → dependencies for every action of the tenant (the whole graph). */
  graph(tenantId: string): Record<string, string[]>;
  /** Names of the tenant's actions that list `name` among their dependencies. */
  dependentsOf(tenantId: string, name: string): string[];
  insert(action: StoredAction): void;
  update(action: StoredAction): void;
  delete(tenantId: string, id: string): boolean;
}

/** A stored POST response, replayed for a repeated `Idempotency-Key`. */
export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  createdTimestamp: number;
}

/** The `status` of a record that only marks its key in flight (empty body): no answer yet. */
export const IN_FLIGHT_STATUS = 0;

export interface IdempotencyRepository {
  /** The stored answer, or an in-flight marker (`status` IN_FLIGHT_STATUS). */
  get(tenantId: string, key: string): IdempotencyRecord | undefined;
  /** Stores the answer (replacing the key's in-flight marker). */
  put(record: IdempotencyRecord): void;
  /**
   * Marks the key in flight, for every process on the database, unless it holds an answer created at
   * or after `expiredBefore` or a marker created at or after `staleBefore`; true when marked.
   */
  claim(
    record: Pick<IdempotencyRecord, "tenantId" | "key" | "fingerprint" | "createdTimestamp">,
    staleBefore: number,
    expiredBefore: number,
  ): boolean;
  /** Removes the key's in-flight marker (no answer is stored for it). */
  release(tenantId: string, key: string): void;
  /** Forgets records created before `cutoff` (epoch ms); returns how many went. */
  purgeBefore(cutoff: number): number;
}

/** An issued access token; only a hash of the token itself is kept. */
export interface TokenRecord {
  tokenHash: string;
  tenantId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface TokenRepository {
  get(tokenHash: string): TokenRecord | undefined;
  put(record: TokenRecord): void;
  purgeExpired(now: number): number;
  /** Forgets one token (a revocation); false when no such token is stored. */
  delete(tokenHash: string): boolean;
}

export interface Store {
  readonly actions: ActionRepository;
  readonly overrides: OverrideRepository;
  readonly builds: BuildRepository;
  readonly variables: VariableRepository;
  /** The tenant keyring's storage: wrapped master keys and the active key. */
  readonly keys: KeyStorage;
  readonly idempotency: IdempotencyRepository;
  readonly tokens: TokenRepository;
  /** Deployments, action revisions and staged changesets (history-repository.ts). */
  readonly history: HistoryRepository;
  /** What the current transaction records as its deployment (journal.ts). */
  readonly journal: Journal;
  /**
   * The tenant's revision: +1 per committed write of its actions, variables, overrides or global
   * variables (one per transaction, however many rows it changed); 0 before the first.
   */
  revision(tenantId: string): number;
  /** Throws when the database does not answer (`GET /readyz`). */
  ping(): void;
  /** Runs `fn` in one transaction: all of its writes commit together or not at all. */
  transaction<T>(fn: () => T): T;
  /** Empties every tenant's data (actions, idempotency records); issued tokens stay valid. */
  resetTenantData(): void;
  /**
   * Forgets what this process keeps in memory of the tenant's actions (the action read cache and the
   * list's page marks), all of them or one: for a write made by another process on the same database
   * (another replica on PostgreSQL), e.g. on a LISTEN/NOTIFY message.
   */
  dropCached(tenantId: string, actionId?: string): void;
  close(): void;
}
