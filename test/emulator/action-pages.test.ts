/**
 * The action list's keyset pages (store/action-pages.ts): every page equals the slice of the list order
 * (created, then id) at its offset, whatever writes, rollbacks and earlier reads came before; totals
 * follow every write; a reader going page by page sees each action once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/emulator/store/sqlite-store.js";
import type { Store, StoredAction } from "../../src/emulator/store/store.js";

let store: Store | undefined;
afterEach(() => store?.close());

/** Deterministic pseudo-random numbers (a linear congruential generator), so a failure replays. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * n); // the high bits: an LCG's low bits cycle
  };
}

function action(tenantId: string, id: string, name: string, created: number): StoredAction {
  return {
    tenantId,
    id,
    name,
    version: 1,
    createdTimestamp: created,
    modifiedTimestamp: created,
    locked: false,
    dependencies: [],
    doc: JSON.stringify({ id, name }),
  };
}

/** The reference: every action of the tenant in list order. */
function ordered(model: Map<string, StoredAction>): StoredAction[] {
  return [...model.values()].sort((a, b) =>
    a.createdTimestamp !== b.createdTimestamp
      ? a.createdTimestamp - b.createdTimestamp
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0,
  );
}

function ids(rows: StoredAction[]): string[] {
  return rows.map((r) => r.id);
}

function seed(s: Store, count: number, tenantId = "t1"): Map<string, StoredAction> {
  const model = new Map<string, StoredAction>();
  s.transaction(() => {
    for (let i = 0; i < count; i++) {
      // Three actions per millisecond, ids not in creation order: ties are broken by id.
      const a = action(tenantId, `id-${(i * 7919) % 100_003}`, `a_${i}`, 1_000 + Math.floor(i / 3));
      s.actions.insert(a);
      model.set(a.id, a);
    }
  });
  return model;
}

describe("action list pages", () => {
  it("answers every page as the slice at its offset, for every page size, read in any order", () => {
    store = openSqliteStore();
    const model = seed(store, 1_234);
    const expected = ids(ordered(model));
    for (const pageSize of [1, 7, 25, 99, 100]) {
      const pages = Math.ceil(expected.length / pageSize) + 1;
      const next = random(pageSize);
      // Backwards, then at random, then forwards: marks found one way serve the others.
      const order = [
        ...Array.from({ length: pages }, (_, i) => pages - i),
        ...Array.from({ length: 40 }, () => 1 + next(pages)),
        ...Array.from({ length: pages }, (_, i) => i + 1),
      ];
      for (const page of order) {
        const offset = (page - 1) * pageSize;
        const { rows, total } = store.actions.list("t1", { offset, limit: pageSize });
        expect(total).toBe(expected.length);
        expect(ids(rows), `page ${page} of size ${pageSize}`).toEqual(
          expected.slice(offset, offset + pageSize),
        );
      }
    }
  });

  it("follows inserts, updates and deletes between reads (totals and pages)", () => {
    store = openSqliteStore();
    const s = store;
    const model = seed(s, 700);
    const next = random(42);
    let created = 5_000;
    for (let step = 0; step < 300; step++) {
      const kind = next(4);
      const existing = [...model.keys()];
      if (kind === 0) {
        // An insert at the end, or in the middle of the order (an older timestamp).
        const a = action("t1", `new-${step}`, `n_${step}`, next(2) === 0 ? created++ : 1_000 + next(300));
        // Outside a transaction too: a repository write is seen even where the revision is not bumped.
        if (next(2) === 0) s.transaction(() => s.actions.insert(a));
        else s.actions.insert(a);
        model.set(a.id, a);
      } else if (kind === 1 && existing.length > 0) {
        const id = existing[next(existing.length)]!;
        s.actions.delete("t1", id);
        model.delete(id);
      } else if (kind === 2 && existing.length > 0) {
        const a = { ...model.get(existing[next(existing.length)]!)!, version: 2 };
        s.transaction(() => s.actions.update(a));
        model.set(a.id, a);
      }
      const expected = ids(ordered(model));
      const pageSize = [10, 25, 100][next(3)]!;
      for (const page of [1 + next(Math.ceil(expected.length / pageSize)), 1]) {
        const offset = (page - 1) * pageSize;
        const { rows, total } = s.actions.list("t1", { offset, limit: pageSize });
        expect(total).toBe(expected.length);
        expect(ids(rows), `step ${step}, page ${page}`).toEqual(expected.slice(offset, offset + pageSize));
      }
    }
  });

  it("keeps nothing learnt inside a transaction that rolls back", () => {
    store = openSqliteStore();
    const s = store;
    const model = seed(s, 450);
    const before = s.actions.list("t1", { offset: 300, limit: 100 });
    expect(() =>
      s.transaction(() => {
        for (let i = 0; i < 150; i++) s.actions.insert(action("t1", `aa-${i}`, `tx_${i}`, 0));
        // Read (and learn marks) while the rows are there, then roll back.
        expect(s.actions.list("t1", { offset: 300, limit: 100 }).total).toBe(600);
        expect(s.actions.list("t1", { offset: 0, limit: 100 }).rows[0]!.id).toBe("aa-0");
        throw new Error("roll back");
      }),
    ).toThrow("roll back");
    // The next committed write has the revision the rolled-back one had: nothing from then may serve,
    // even when that write is not an action's (a global variable).
    s.transaction(() => s.variables.putGlobalSet("t1", { version: 2, modifiedTimestamp: 1, items: [] }));
    const after = s.actions.list("t1", { offset: 300, limit: 100 });
    expect(after).toEqual(before);
    expect(ids(after.rows)).toEqual(ids(ordered(model)).slice(300, 400));
    const late = action("t1", "zz-late", "late", 99_999);
    s.transaction(() => s.actions.insert(late));
    model.set(late.id, late);
    for (const offset of [0, 300, 400]) {
      const page = s.actions.list("t1", { offset, limit: 100 });
      expect(page.total).toBe(451);
      expect(ids(page.rows)).toEqual(ids(ordered(model)).slice(offset, offset + 100));
    }
  });

  it("keeps tenants and filters apart", () => {
    store = openSqliteStore();
    const s = store;
    const one = seed(s, 260, "t1");
    const two = seed(s, 130, "t2");
    expect(s.actions.list("t2", { offset: 100, limit: 100 }).rows.map((r) => r.tenantId)).toEqual(
      Array(30).fill("t2"),
    );
    expect(ids(s.actions.list("t1", { offset: 200, limit: 100 }).rows)).toEqual(ids(ordered(one)).slice(200));
    expect(ids(s.actions.list("t2", { offset: 0, limit: 100 }).rows)).toEqual(
      ids(ordered(two)).slice(0, 100),
    );
    const contains = ordered(one).filter((a) => a.name.includes("_1"));
    for (const offset of [0, 100, 150]) {
      const { rows, total } = s.actions.list("t1", { nameContains: "_1", offset, limit: 50 });
      expect(total).toBe(contains.length);
      expect(ids(rows)).toEqual(ids(contains).slice(offset, offset + 50));
    }
    const exact = s.actions.list("t1", { name: "a_17", offset: 0, limit: 100 });
    expect(exact.total).toBe(1);
    expect(exact.rows[0]!.name).toBe("a_17");
    expect(s.actions.list("t1", { name: "a_17", offset: 1, limit: 100 }).rows).toEqual([]);
  });

  it("lets a reader going page by page see every action once, while others insert", () => {
    store = openSqliteStore();
    const s = store;
    const model = seed(s, 333);
    const seen: string[] = [];
    let created = 9_000;
    for (let page = 1; ; page++) {
      const { rows } = s.actions.list("t1", { offset: (page - 1) * 25, limit: 25 });
      seen.push(...ids(rows));
      if (rows.length < 25) break;
      s.transaction(() => s.actions.insert(action("t1", `late-${page}`, `late_${page}`, created++)));
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of model.keys()) expect(seen).toContain(id);
    s.resetTenantData();
    expect(s.actions.list("t1", { offset: 0, limit: 25 })).toEqual({ rows: [], total: 0 });
  });
});
