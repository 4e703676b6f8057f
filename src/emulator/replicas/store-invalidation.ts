/**
 * The store side of cache invalidation between replicas.
 *
 * Publishing: `withInvalidationPublishing(store, publish)` notes every action written and every key
 * change through the store, and hands them to `publish` once the outermost transaction committed (at
 * once for a write outside a transaction; nothing for a transaction that threw, since it rolled back).
 * `flushed()` is what the request's response waits for, so a write is announced, and acted on by the
 * other replicas, before it is acknowledged.
 *
 * Receiving: `applyToStore` hands every message heard from another replica to the store's
 * `dropCached` (its action read cache and list page marks).
 */
import type { Store } from "../store/store.js";
import type { Invalidation } from "./invalidation-bus.js";

export interface PublishingStore {
  store: Store;
  /** Resolves when every write committed so far has been announced. */
  flushed(): Promise<void>;
  /** Announces a change made outside the store's repositories (queued after the writes before it). */
  announce(message: Invalidation): void;
}

export function withInvalidationPublishing(
  store: Store,
  publish: (...messages: Invalidation[]) => Promise<unknown>,
): PublishingStore {
  let depth = 0;
  let pending: Invalidation[] = [];
  let last: Promise<void> = Promise.resolve();
  const keyOf = (m: Invalidation) => JSON.stringify(m);

  const note = (message: Invalidation) => {
    pending.push(message);
    if (depth === 0) flush();
  };
  // Committed messages wait here for the next publication: one per event-loop turn at most, so a
  // request's own announcement (`announce` in the response hook) joins its writes' instead of costing
  // a second round of acknowledgements; and whatever commits while one publication waits for the other
  // replicas goes out together in the next.
  let ready: Invalidation[] = [];
  let queued = false;
  const flush = () => {
    if (pending.length === 0) return;
    ready.push(...pending);
    pending = [];
    if (queued) return;
    queued = true;
    last = last.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      queued = false;
      const seen = new Set<string>();
      const messages = ready.filter((m) => {
        const k = keyOf(m);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      ready = [];
      await publish(...messages);
    });
  };

  const actions = store.actions;
  const tokens = store.tokens;
  const keys = store.keys;
  const variables = store.variables;
  const overrides = store.overrides;
  const wrapped: Store = {
    ...store,
    actions: {
      ...actions,
      get: (t, id) => actions.get(t, id),
      getByName: (t, name) => actions.getByName(t, name),
      list: (t, q) => actions.list(t, q),
      graph: (t) => actions.graph(t),
      dependentsOf: (t, name) => actions.dependentsOf(t, name),
      insert: (action) => {
        actions.insert(action);
        note({ kind: "tenant", tenantId: action.tenantId });
      },
      update: (action) => {
        actions.update(action);
        note({ kind: "action", tenantId: action.tenantId, id: action.id });
        note({ kind: "tenant", tenantId: action.tenantId });
      },
      delete: (tenantId, id) => {
        const deleted = actions.delete(tenantId, id);
        if (deleted) {
          note({ kind: "action", tenantId, id });
          note({ kind: "tenant", tenantId });
        }
        return deleted;
      },
    },
    // A revoked token must be refused by every replica, whatever it verified before.
    tokens: {
      get: (hash) => tokens.get(hash),
      put: (record) => tokens.put(record),
      purgeExpired: (now) => tokens.purgeExpired(now),
      delete: (hash) => {
        const deleted = tokens.delete(hash);
        if (deleted) note({ kind: "tokens" });
        return deleted;
      },
    },
    // Variables and overrides move the tenant revision too, which replicas keep in memory.
    variables: {
      getActionSet: (t, id) => variables.getActionSet(t, id),
      getActionSets: (t, ids) => variables.getActionSets(t, ids),
      listActionSets: (t) => variables.listActionSets(t),
      getGlobalSet: (t) => variables.getGlobalSet(t),
      putActionSet: (t, id, set) => {
        variables.putActionSet(t, id, set);
        note({ kind: "tenant", tenantId: t });
      },
      putGlobalSet: (t, set) => {
        variables.putGlobalSet(t, set);
        note({ kind: "tenant", tenantId: t });
      },
    },
    overrides: {
      get: (t, id, env) => overrides.get(t, id, env),
      listForActions: (t, ids) => overrides.listForActions(t, ids),
      put: (set) => {
        overrides.put(set);
        note({ kind: "tenant", tenantId: set.tenantId });
      },
      deleteForAction: (t, id) => {
        overrides.deleteForAction(t, id);
        note({ kind: "tenant", tenantId: t });
      },
    },
    keys: {
      listTenantKeys: (t) => keys.listTenantKeys(t),
      getActiveKeyId: (t) => keys.getActiveKeyId(t),
      insertTenantKey: (t, key) => {
        keys.insertTenantKey(t, key);
        note({ kind: "keys", tenantId: t });
      },
      setActiveKey: (t, keyId) => {
        keys.setActiveKey(t, keyId);
        note({ kind: "keys", tenantId: t });
      },
    },
    revision: (t) => store.revision(t),
    ping: () => store.ping(),
    transaction: <T>(fn: () => T): T => {
      depth += 1;
      let ok = false;
      try {
        const result = store.transaction(fn);
        ok = true;
        return result;
      } finally {
        depth -= 1;
        if (depth === 0) {
          if (ok) flush();
          else pending = [];
        }
      }
    },
    resetTenantData: () => {
      store.resetTenantData();
      note({ kind: "all" });
    },
    close: () => store.close(),
  };
  return { store: wrapped, flushed: () => last, announce: note };
}

/** Drops what another replica's write made stale; `tenantIds` are every configured tenant (for `all`). */
export function applyToStore(store: Store, message: Invalidation, tenantIds: readonly string[]): void {
  switch (message.kind) {
    case "action":
      store.dropCached(message.tenantId, message.id);
      return;
    case "tenant":
      store.dropCached(message.tenantId);
      return;
    case "all":
      for (const tenantId of tenantIds) store.dropCached(tenantId);
      return;
    // Keys are read from the database on every use (only unwrapped keys are cached, and a stored key
    // never changes); tokens are the token service's.
    case "keys":
    case "tokens":
      return;
  }
}
