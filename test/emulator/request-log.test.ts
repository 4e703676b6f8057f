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
