/** writeWithVersion over a fake versioned resource: read, build, write; re-read on 409/412; bounded. */
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  CxdaError,
  NotFoundError,
  PreconditionError,
  ServerError,
  ValidationError,
} from "../../src/errors.js";
import { isStaleVersion, NO_WRITE, writeWithVersion } from "../../src/workflows/write-with-version.js";

interface Doc {
  version: number;
  items: string[];
}

/** A document that other writers change before each of our first `interleavings` writes. */
function contended(interleavings: number, refusal: () => Error) {
  let doc: Doc = { version: 1, items: ["base"] };
  let raced = 0;
  const log: string[] = [];
  return {
    log,
    doc: () => doc,
    read: async (round: number) => {
      log.push(`read ${round} v${doc.version}`);
      return structuredClone(doc);
    },
    write: async (items: string[], current: Doc) => {
      if (raced < interleavings) {
        raced++;
        doc = { version: doc.version + 1, items: [...doc.items, `other${raced}`] };
      }
      if (current.version !== doc.version) {
        log.push(`write v${current.version} refused`);
        throw refusal();
      }
      doc = { version: doc.version + 1, items };
      log.push(`write v${current.version} ok`);
      return structuredClone(doc);
    },
  };
}

const stale412 = () =>
  new PreconditionError("version changed", { status: 412, slug: "precondition-failed", attempts: 2 });
const stale409 = () => new ConflictError("stale body version", { status: 409, slug: "version-conflict" });

describe("writeWithVersion", () => {
  it("reads, builds and writes once when nobody else writes", async () => {
    const r = contended(0, stale412);
    const sleeps: number[] = [];
    const out = await writeWithVersion({
      what: "the doc",
      read: r.read,
      build: (d) => [...d.items, "mine"],
      write: r.write,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(out).toMatchObject({ written: true, writes: 1, conflicts: 0, conflictAttempts: 0 });
    expect(r.doc().items).toEqual(["base", "mine"]);
    expect(r.log).toEqual(["read 1 v1", "write v1 ok"]);
    expect(sleeps).toEqual([]);
  });

  it.each([
    ["412 precondition-failed", stale412, 2],
    ["409 version-conflict", stale409, 1],
  ])(
    "after a %s re-reads, rebuilds from the new state and keeps the other writer's change",
    async (_, refusal, perAttempt) => {
      const r = contended(2, refusal);
      const sleeps: number[] = [];
      const out = await writeWithVersion({
        what: "the doc",
        read: r.read,
        build: (d) => [...d.items, "mine"],
        write: r.write,
        random: () => 0.5,
        sleep: async (ms) => void sleeps.push(ms),
      });
      expect(r.log).toEqual([
        "read 1 v1",
        "write v1 refused",
        "read 2 v2",
        "write v2 refused",
        "read 3 v3",
        "write v3 ok",
      ]);
      expect(r.doc().items).toEqual(["base", "other1", "other2", "mine"]);
      expect(out).toMatchObject({ written: true, writes: 3, conflicts: 2, conflictAttempts: 2 * perAttempt });
      // The client's full-jitter backoff: random × min(1000, 20 × 2^(n-1)).
      expect(sleeps).toEqual([10, 20]);
    },
  );

  it("writes nothing when build says NO_WRITE", async () => {
    const r = contended(0, stale412);
    const out = await writeWithVersion({
      what: "the doc",
      read: r.read,
      build: () => NO_WRITE,
      write: r.write,
    });
    expect(out).toMatchObject({ written: false, writes: 0, conflicts: 0, current: { version: 1 } });
    expect(r.log).toEqual(["read 1 v1"]);
  });

  it("ends at once when build throws (nothing written)", async () => {
    const r = contended(0, stale412);
    const refusal = new ValidationError("the edit is invalid");
    await expect(
      writeWithVersion({
        what: "the doc",
        read: r.read,
        build: () => {
          throw refusal;
        },
        write: r.write,
      }),
    ).rejects.toBe(refusal);
    expect(r.log).toEqual(["read 1 v1"]);
  });

  it.each([
    ["409 name-conflict", () => new ConflictError("taken", { status: 409, slug: "name-conflict" })],
    ["404", () => new NotFoundError("gone", { status: 404, slug: "not-found" })],
    ["503 after the client's retries", () => new ServerError("down", { status: 503, attempts: 5 })],
  ])("does not retry a %s", async (_, refusal) => {
    const r = contended(1, refusal);
    const error = refusal();
    await expect(
      writeWithVersion({
        what: "the doc",
        read: r.read,
        build: (d) => d.items,
        write: async () => {
          throw error;
        },
      }),
    ).rejects.toBe(error);
    expect(r.log).toEqual(["read 1 v1"]);
  });

  it("gives up after maxAttempts with one ConflictError carrying the last refusal", async () => {
    const r = contended(100, stale412);
    const sleeps: number[] = [];
    const error = await writeWithVersion({
      what: (d: Doc) => `the doc at version ${d.version}`,
      read: r.read,
      build: (d) => d.items,
      write: r.write,
      maxAttempts: 4,
      maxDelayMs: 50,
      random: () => 0.999,
      sleep: async (ms) => void sleeps.push(ms),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 412, slug: "precondition-failed", attempts: 8 });
    expect((error as Error).cause).toBeInstanceOf(PreconditionError);
    expect((error as Error).message).toBe(
      "the doc at version 4 kept changing under this edit: gave up after 4 read-apply-write attempts (4 conflicts); try again",
    );
    expect(r.log.filter((l) => l.startsWith("write"))).toHaveLength(4);
    // No wait after the last refusal.
    expect(sleeps).toEqual([19, 39, 49]);
  });
});

describe("isStaleVersion", () => {
  it.each([
    [new PreconditionError("x", { status: 412, slug: "precondition-failed" }), true],
    [new ConflictError("x", { status: 409, slug: "version-conflict" }), true],
    [new CxdaError("x", { status: 412 }), true],
    [new ConflictError("x", { status: 409, slug: "name-conflict" }), false],
    [new ConflictError("x", { status: 409, slug: "action-locked" }), false],
    [new ValidationError("x", { status: 400, slug: "validation-failed" }), false],
    [new Error("version-conflict"), false],
    ["412", false],
  ])("%s → %s", (error, stale) => {
    expect(isStaleVersion(error)).toBe(stale);
  });
});
