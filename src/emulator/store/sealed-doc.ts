/**
 * Credential-like header values at rest (issue 11 R6; docs/secrets.md: header values may
 * be credentials). The API returns `config.headers`, so the values are kept, but sealed: in the database an action's doc
 * holds `{"$sealed":"v1","keyId":…,"ciphertext":…}` in place of each value that the shared
 * `isCredentialHeader(name, value)` flags (by name or by value shape), bound to the tenant, `headerScope(actionId)` and the lower-cased name.
 * `withSealedHeaders(store, keyring)` wraps a Store so every reader (GET, list, expand, test runs,
 * builds, PUT/PATCH merges, idempotent replays) sees plaintext and every writer stores ciphertext;
 * opened docs are cached per (tenant, id) in a bounded LRU keyed by the exact stored text.
 */
import { isCredentialHeader } from "../../domain/credential-header.js";
import { headerScope } from "../crypto/binding.js";
import { KeyringError } from "../crypto/keyring-error.js";
import type { TenantKeyring } from "../crypto/tenant-keyring.js";
import { ProblemError } from "../problem.js";
import {
  type ActionRepository,
  type IdempotencyRepository,
  IN_FLIGHT_STATUS,
  type Store,
  type StoredAction,
} from "./store.js";

export const SEALED_MARKER = "$sealed";
const SEALED_VERSION = "v1";
/** Present in a stored doc whenever a value is sealed; a string value can never contain it unescaped. */
const MARKER_TEXT = `"${SEALED_MARKER}":`;
/** Opened docs kept in memory, so repeated GETs do not decrypt (bench B4): at most this many… */
export const OPENED_DOC_CACHE_SIZE = 2_000;
/** …and at most this many characters of stored + opened text (a doc may hold a 64 KiB script). */
const OPENED_DOC_CACHE_CHARS = 16 * 1024 * 1024;

interface SealedHeaderValue {
  [SEALED_MARKER]: typeof SEALED_VERSION;
  keyId: string;
  ciphertext: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSealed(value: unknown): value is SealedHeaderValue {
  return isObject(value) && value[SEALED_MARKER] === SEALED_VERSION;
}

/** The action's id and `config.headers` when `doc` is an action resource, else undefined. */
function headersOf(doc: unknown): { id: string; headers: Json } | undefined {
  if (!isObject(doc) || typeof doc.id !== "string" || !isObject(doc.config)) return undefined;
  const headers = doc.config.headers;
  return isObject(headers) ? { id: doc.id, headers } : undefined;
}

/**
 * The at-rest form of an action resource's JSON text: each credential-like header value sealed. Text
 * that is not an action, or has no such header, comes back unchanged (the same string).
 */
export function sealDoc(keyring: TenantKeyring, tenantId: string, docText: string): string {
  if (!docText.includes('"headers":')) return docText;
  let doc: unknown;
  try {
    doc = JSON.parse(docText);
  } catch {
    return docText;
  }
  const found = headersOf(doc);
  if (!found) return docText;
  let sealed = 0;
  for (const [name, value] of Object.entries(found.headers)) {
    if (typeof value !== "string" || !isCredentialHeader(name, value)) continue;
    const box = keyring.seal(tenantId, { scope: headerScope(found.id), name: name.toLowerCase() }, value);
    found.headers[name] = {
      [SEALED_MARKER]: SEALED_VERSION,
      keyId: box.keyId,
      ciphertext: box.ciphertext,
    } satisfies SealedHeaderValue;
    sealed += 1;
  }
  return sealed === 0 ? docText : JSON.stringify(doc);
}

/**
 * The served form of a stored doc: sealed header values opened. A value that does not open answers
 * 500 `secret-unreadable` naming the header, never other bytes.
 */
export function openDoc(keyring: TenantKeyring, tenantId: string, storedText: string): string {
  if (!storedText.includes(MARKER_TEXT)) return storedText;
  const doc: unknown = JSON.parse(storedText);
  const found = headersOf(doc);
  if (!found) return storedText;
  let opened = 0;
  for (const [name, value] of Object.entries(found.headers)) {
    if (!isSealed(value)) continue;
    try {
      found.headers[name] = keyring.open(
        tenantId,
        { scope: headerScope(found.id), name: name.toLowerCase() },
        { keyId: value.keyId, ciphertext: value.ciphertext },
      );
    } catch (error) {
      if (!(error instanceof KeyringError)) throw error;
      throw new ProblemError(
        "secret-unreadable",
        `The stored value of header '${name}' of action ${found.id} cannot be decrypted (${error.code}): ${error.message}.`,
        { status: 500 },
      );
    }
    opened += 1;
  }
  return opened === 0 ? storedText : JSON.stringify(doc);
}

/** A bounded least-recently-used map of opened docs, valid only for the exact stored text. */
class OpenedDocCache {
  private readonly entries = new Map<string, { stored: string; opened: string }>();
  private chars = 0;

  constructor(private readonly capacity: number) {}

  get(tenantId: string, id: string, stored: string): string | undefined {
    const key = `${tenantId}\u0000${id}`;
    const entry = this.entries.get(key);
    if (entry === undefined || entry.stored !== stored) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.opened;
  }

  set(tenantId: string, id: string, stored: string, opened: string): void {
    const key = `${tenantId}\u0000${id}`;
    this.remove(key);
    this.entries.set(key, { stored, opened });
    this.chars += stored.length + opened.length;
    while (this.entries.size > this.capacity || this.chars > OPENED_DOC_CACHE_CHARS) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  delete(tenantId: string, id: string): void {
    this.remove(`${tenantId}\u0000${id}`);
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.chars -= entry.stored.length + entry.opened.length;
    this.entries.delete(key);
  }
}

function sealedActions(
  inner: ActionRepository,
  keyring: TenantKeyring,
  cache: OpenedDocCache,
): ActionRepository {
  // Frozen rows (the store's read cache) known to hold no sealed value: served as they are without
  // scanning their doc again on every read, and the same object each time (bench B4). Rows with sealed
  // values go through the bounded cache of opened docs as before.
  const plainRows = new WeakSet<StoredAction>();
  const served = (row: StoredAction | undefined): StoredAction | undefined => {
    if (row === undefined || plainRows.has(row)) return row;
    if (!row.doc.includes(MARKER_TEXT)) {
      if (Object.isFrozen(row)) plainRows.add(row);
      return row;
    }
    const cached = cache.get(row.tenantId, row.id, row.doc);
    if (cached !== undefined) return { ...row, doc: cached };
    const opened = openDoc(keyring, row.tenantId, row.doc);
    cache.set(row.tenantId, row.id, row.doc, opened);
    return { ...row, doc: opened };
  };
  const stored = (action: StoredAction): StoredAction => {
    const doc = sealDoc(keyring, action.tenantId, action.doc);
    if (doc === action.doc) cache.delete(action.tenantId, action.id);
    else cache.set(action.tenantId, action.id, doc, action.doc);
    return { ...action, doc };
  };
  return {
    get: (tenantId, id) => served(inner.get(tenantId, id)),
    getByName: (tenantId, name) => served(inner.getByName(tenantId, name)),
    list: (tenantId, query) => {
      const { rows, total } = inner.list(tenantId, query);
      return { rows: rows.map((row) => served(row) as StoredAction), total };
    },
    graph: (tenantId) => inner.graph(tenantId),
    dependentsOf: (tenantId, name) => inner.dependentsOf(tenantId, name),
    insert: (action) => inner.insert(stored(action)),
    update: (action) => inner.update(stored(action)),
    delete: (tenantId, id) => {
      cache.delete(tenantId, id);
      return inner.delete(tenantId, id);
    },
  };
}

/** A stored POST answer (the created action) holds the same values: sealed the same way. */
function sealedIdempotency(inner: IdempotencyRepository, keyring: TenantKeyring): IdempotencyRepository {
  return {
    get: (tenantId, key) => {
      const record = inner.get(tenantId, key);
      if (record === undefined || record.status === IN_FLIGHT_STATUS) return record;
      return { ...record, body: openDoc(keyring, tenantId, record.body) };
    },
    put: (record) => inner.put({ ...record, body: sealDoc(keyring, record.tenantId, record.body) }),
    purgeBefore: (cutoff) => inner.purgeBefore(cutoff),
    claim: (record, staleBefore, expiredBefore) => inner.claim(record, staleBefore, expiredBefore),
    release: (tenantId, key) => inner.release(tenantId, key),
  };
}

/** `store` with credential-like header values sealed at rest in actions and idempotency records. */
export function withSealedHeaders(
  store: Store,
  keyring: TenantKeyring,
  cacheSize = OPENED_DOC_CACHE_SIZE,
): Store {
  const cache = new OpenedDocCache(cacheSize);
  return {
    ...store,
    actions: sealedActions(store.actions, keyring, cache),
    idempotency: sealedIdempotency(store.idempotency, keyring),
    resetTenantData: () => {
      cache.clear();
      store.resetTenantData();
    },
    close: () => {
      cache.clear();
      store.close();
    },
  };
}
