/**
 * What replicas share through PostgreSQL, with two instances on one fresh database standing for two
 * replicas: the rate-limit buckets and the cache invalidation bus.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RateLimiter, type RateLimits } from "../../../src/emulator/rate-limiter.js";
import type { Invalidation } from "../../../src/emulator/replicas/invalidation-bus.js";
import { openSharedState, type SharedState } from "../../../src/emulator/replicas/shared-state.js";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
  terminateConnections,
} from "../../helpers/postgres.js";

const available = postgresForTests().available;

/** Admitted requests of two limiters over `seconds` of a shared virtual clock, `perStep` attempts per 50 ms. */
async function admittedOverWindow(
  make: (clock: () => number) => [RateLimits, RateLimits],
  seconds: number,
  perStep = 4,
): Promise<number> {
  let now = 1_000_000;
  const [a, b] = make(() => now);
  let admitted = 0;
  for (let t = 0; t < seconds * 1000; t += 50) {
    now = 1_000_000 + t;
    const decisions = await Promise.all(
      Array.from({ length: perStep }, (_, i) => (i % 2 === 0 ? a : b).take("client:ci")),
    );
    admitted += decisions.filter((d) => d.allowed).length;
  }
  return admitted;
}

describe.skipIf(!available)("replicas on PostgreSQL", () => {
  let database: TestDatabase;
  let replicas: SharedState[];

  beforeEach(async () => {
    database = await createTestDatabase();
    replicas = [await openSharedState(database.url, "r-a"), await openSharedState(database.url, "r-b")];
  });

  afterEach(async () => {
    for (const replica of replicas) await replica.close();
    await database.drop();
  });

  it("two replicas together admit the configured rate (±5 %), not twice it", async () => {
    const perMinute = 600;
    const burst = 20;
    const seconds = 60;
    const expected = burst + (perMinute * seconds) / 60;
    const shared = await admittedOverWindow(
      (clock) => [
        replicas[0]!.rateLimiter(perMinute, burst, clock),
        replicas[1]!.rateLimiter(perMinute, burst, clock),
      ],
      seconds,
    );
    expect(Math.abs(shared - expected) / expected).toBeLessThanOrEqual(0.05);
    // Two per-process limiters, as before: each admits the rate, so the client gets twice it.
    const separate = await admittedOverWindow(
      (clock) => [new RateLimiter(perMinute, burst, clock), new RateLimiter(perMinute, burst, clock)],
      seconds,
    );
    expect(separate / expected).toBeGreaterThan(1.9);
  });

  it("at a high rate, where replicas lease tokens in chunks, they still admit the rate (±5 %)", async () => {
    const perMinute = 60_000;
    const burst = 200;
    const seconds = 10;
    const expected = burst + (perMinute * seconds) / 60;
    expect(replicas[0]!.rateLimiter(perMinute, burst, () => 0).leaseSize).toBe(50);
    // Twice the rate is attempted: 100 attempts per 50 ms where 50 tokens come in.
    const admitted = await admittedOverWindow(
      (clock) => [
        replicas[0]!.rateLimiter(perMinute, burst, clock),
        replicas[1]!.rateLimiter(perMinute, burst, clock),
      ],
      seconds,
      100,
    );
    expect(Math.abs(admitted - expected) / expected).toBeLessThanOrEqual(0.05);
  });

  it("a refusal says when to retry and the headers' figures agree across replicas", async () => {
    let now = 5_000_000;
    const a = replicas[0]!.rateLimiter(60, 2, () => now);
    const b = replicas[1]!.rateLimiter(60, 2, () => now);
    expect((await a.take("client:x")).allowed).toBe(true);
    expect((await b.take("client:x")).remaining).toBe(0);
    const refused = await a.take("client:x");
    expect(refused).toMatchObject({ allowed: false, limit: 60, remaining: 0, retryAfterSeconds: 1 });
    expect(await b.peek("client:x")).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 2 });
    now += 1_000;
    expect((await b.take("client:x")).allowed).toBe(true);
    // Another client's bucket is its own.
    expect((await b.take("client:y")).remaining).toBe(1);
    await a.reset();
    expect((await b.peek("client:x")).remaining).toBe(2);
  });

  it("an invalidation reaches the other replica, not its sender", async () => {
    const heard: [string, Invalidation][] = [];
    for (const replica of replicas) replica.bus.subscribe((m) => heard.push([replica.replicaId, m]));
    await replicas[0]!.bus.publish(
      { kind: "action", tenantId: "acme", id: "a1" },
      { kind: "keys", tenantId: "acme" },
    );
    await expect.poll(() => heard.length).toBe(2);
    expect(heard).toEqual([
      ["r-b", { kind: "action", tenantId: "acme", id: "a1" }],
      ["r-b", { kind: "keys", tenantId: "acme" }],
    ]);
  });

  it("publishing resolves only once the other replica has acted on the announcement", async () => {
    const [a, b] = replicas as [SharedState, SharedState];
    const heard: Invalidation[] = [];
    b.bus.subscribe((m) => heard.push(m));
    const release = b.bus.holdDeliveries();
    let settled = false;
    const publication = a.bus.publish({ kind: "action", tenantId: "acme", id: "a1" }).then((p) => {
      settled = true;
      // b acted on it before the writer may answer its client.
      expect(heard).toEqual([{ kind: "action", tenantId: "acme", id: "a1" }]);
      return p;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    release();
    expect(await publication).toEqual({ awaited: 1, unacknowledged: 0 });
  });

  it("a replica that lags stops trusting its caches before a writer stops waiting for it", async () => {
    const [a, b] = replicas as [SharedState, SharedState];
    expect(b.bus.current).toBe(true);
    const release = b.bus.holdDeliveries();
    const publication = await a.bus.publish({ kind: "tenant", tenantId: "acme" });
    expect(publication).toEqual({ awaited: 1, unacknowledged: 1 });
    // The writer answers its client now; b no longer serves what it keeps in memory.
    expect(b.bus.current).toBe(false);
    release();
    // Its own heartbeat comes back after the announcement it held: current again.
    await expect.poll(() => b.bus.current, { timeout: 5_000 }).toBe(true);
    expect(a.bus.current).toBe(true);
  });

  it("a writer alone on the database waits for nobody", async () => {
    await replicas[1]!.close();
    replicas = [replicas[0]!];
    await expect
      .poll(async () => (await replicas[0]!.bus.publish({ kind: "tokens" })).awaited, { timeout: 5_000 })
      .toBe(0);
  });

  it("a replica whose listening connection was cut drops everything, listens again and hears later messages", async () => {
    const heard: Invalidation[] = [];
    replicas[1]!.bus.subscribe((m) => heard.push(m));
    await terminateConnections(database.name);
    await expect.poll(() => replicas[1]!.bus.current, { timeout: 10_000, interval: 10 }).toBe(false);
    await expect.poll(() => heard.filter((m) => m.kind === "all").length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => replicas[1]!.bus.current, { timeout: 10_000 }).toBe(true);
    await expect
      .poll(
        async () => {
          await replicas[0]!.bus.publish({ kind: "tenant", tenantId: "acme" });
          return heard.some((m) => m.kind === "tenant");
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    // The pool of the cut connections serves queries again.
    expect((await replicas[0]!.rateLimiter(60, 5, () => 1).take("k")).allowed).toBe(true);
  });
});
