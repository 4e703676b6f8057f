import { describe, expect, it } from "vitest";
import { RequestLog } from "../../src/emulator/request-log.js";

const entry = (i: number) => ({
  timestamp: i,
  method: "GET",
  path: `/r/${i}`,
  status: 200,
  clientId: null,
  idempotencyKey: null,
  faulted: false,
  requestId: `r${i}`,
});

describe("RequestLog", () => {
  it("keeps every entry, oldest first, while under its capacity", () => {
    const log = new RequestLog(5);
    for (let i = 1; i <= 5; i++) log.add(entry(i));
    expect(log.list().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.dropped()).toBe(0);
  });

  it("keeps the newest entries past its capacity and counts the ones it let go", () => {
    const log = new RequestLog(5);
    for (let i = 1; i <= 23; i++) log.add(entry(i));
    expect(log.list().map((e) => e.seq)).toEqual([19, 20, 21, 22, 23]);
    expect(log.dropped()).toBe(18);
    log.clear();
    expect(log.list()).toEqual([]);
    expect(log.dropped()).toBe(0);
  });
});

describe("RequestLog keeps each entry as it was added (columns, not objects)", () => {
  const full = {
    timestamp: 1_796_317_766_593.5,
    method: "PUT",
    path: "/api/v2/dataactions/x",
    status: 503,
    clientId: "cxda-demo",
    idempotencyKey: "key-1",
    faulted: true,
    fault: "status" as const,
    retryAfter: 7,
    ifMatch: '"3"',
    replayed: true,
    requestId: "00000000-0000-4000-8000-00000000000a",
  };

  it("lists every field, in the order GET /_emulator/requests shows them, optional ones only when given", () => {
    const log = new RequestLog(10);
    log.add(full);
    log.add({ ...entry(2), requestId: "ffffffff-ffff-4fff-bfff-ffffffffffff" });
    const { requestId, ...reset } = { ...entry(3), status: null, faulted: true };
    log.add({ ...reset, fault: "reset", replayed: false, requestId });
    const [a, b, c] = log.list();
    expect(JSON.stringify(a)).toBe(JSON.stringify({ seq: 1, ...full }));
    expect(JSON.stringify(b)).toBe(
      JSON.stringify({ seq: 2, ...entry(2), requestId: "ffffffff-ffff-4fff-bfff-ffffffffffff" }),
    );
    expect(JSON.stringify(c)).toBe(
      JSON.stringify({ seq: 3, ...reset, fault: "reset", replayed: false, requestId }),
    );
  });

  it("gives back request ids that are not lower-case UUIDs unchanged", () => {
    const log = new RequestLog(10);
    const ids = [
      "r1",
      "6F9619FF-8B86-D011-B42D-00C04FC964FF",
      "6f9619ff-8b86-d011-b42d-00c04fc964fg",
      "6f9619ff+8b86-d011-b42d-00c04fc964ff",
      "6f9619ff-8b86-d011-b42d-00c04fc964f\u0666",
      "6f9619ff-8b86-d011-b42d-00c04fc964f\u0146",
      crypto.randomUUID(),
    ];
    for (const [i, requestId] of ids.entries()) log.add({ ...entry(i), requestId });
    expect(log.list().map((e) => e.requestId)).toEqual(ids);
  });

  it("wraps around past its capacity and grows past its first columns, oldest first", () => {
    const log = new RequestLog(3000);
    const ids: string[] = [];
    for (let i = 1; i <= 7500; i++) {
      const requestId = crypto.randomUUID();
      ids.push(requestId);
      log.add({ ...entry(i), path: `/r/${i % 7}`, requestId });
    }
    const listed = log.list();
    expect(listed).toHaveLength(3000);
    expect(log.dropped()).toBe(4500);
    expect(listed[0]).toEqual({ seq: 4501, ...entry(4501), path: `/r/${4501 % 7}`, requestId: ids[4500] });
    expect(listed.map((e) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => 4501 + i));
    expect(listed.map((e) => e.requestId)).toEqual(ids.slice(4500));
    expect(listed.map((e) => e.timestamp)).toEqual(Array.from({ length: 3000 }, (_, i) => 4501 + i));
  });

  it("keeps every path right past the size of its table of paths, repeated or not", () => {
    const log = new RequestLog(10_000);
    const paths = Array.from({ length: 9_000 }, (_, i) => `/p/${i % 3 === 0 ? "same" : i}`);
    for (const [i, path] of paths.entries()) log.add({ ...entry(i), path });
    expect(log.list().map((e) => e.path)).toEqual(paths);
  });

  it("starts over after clear()", () => {
    const log = new RequestLog(2);
    for (let i = 1; i <= 5; i++) log.add(entry(i));
    log.clear();
    log.add(entry(9));
    expect(log.list()).toEqual([{ seq: 1, ...entry(9) }]);
    expect(log.dropped()).toBe(0);
  });
});
