/**
 * The exact answer of GET /api/v2/dataactions/{id}, the busiest route (bench B4): header names in the
 * order they are sent, the values that do not vary, and the request log's entries, for a 200, 401,
 * 404, 429 and injected faults. Pinned so that cuts of its cost per request change no byte of it.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, getToken, startTestEmulator } from "./helpers.js";

let emulator: Emulator;
let token: string;
let id: string;

beforeAll(async () => {
  emulator = await startTestEmulator({
    clock: () => 1_796_000_000_000,
    rateLimit: { perMinute: 60, burst: 6 },
  });
  token = await getToken(emulator);
  const created = await raw(
    "POST",
    "/api/v2/dataactions",
    {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    },
    JSON.stringify({
      name: "wire_b4",
      type: "SCRIPT",
      script: { language: "JavaScript", content: "function main(c){return {}}" },
    }),
  );
  id = JSON.parse(created.text).id;
});
afterAll(() => emulator.close());

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; head: [string, string][]; text: string }>((resolve, reject) => {
    const req = http.request(`${emulator.url}${path}`, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        const head: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          head.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 0, head, text });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const RATE = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"];
const TAIL = ["content-length", "Date", "Connection"];

describe("GET /api/v2/dataactions/{id} on the wire", () => {
  it("answers 200, 401, 404, faults and 429 with these headers in this order", async () => {
    const path = `/api/v2/dataactions/${id}`;
    const auth = { authorization: `Bearer ${token}` };
    const ok = await raw("GET", path, auth);
    expect(ok.status).toBe(200);
    expect(ok.head.map(([name]) => name)).toEqual([
      "x-request-id",
      "etag",
      "content-type",
      ...RATE,
      "x-tenant-revision",
      ...TAIL,
    ]);
    expect(Object.fromEntries(ok.head)).toMatchObject({
      etag: '"1"',
      "content-type": "application/json; charset=utf-8",
      "ratelimit-limit": "60",
      "ratelimit-policy": "60;w=60;burst=6",
      "content-length": String(Buffer.byteLength(ok.text)),
    });
    expect(JSON.parse(ok.text)).toMatchObject({ id, name: "wire_b4", version: 1 });

    const problem = ["x-request-id", "content-type", ...RATE];
    const none = await raw("GET", path);
    expect(none.status).toBe(401);
    expect(none.head.map(([name]) => name)).toEqual([
      "x-request-id",
      "www-authenticate",
      "content-type",
      ...RATE,
      ...TAIL,
    ]);
    const missing = await raw("GET", "/api/v2/dataactions/00000000-0000-4000-8000-000000000000", auth);
    expect(missing.status).toBe(404);
    expect(missing.head.map(([name]) => name)).toEqual([...problem, "x-tenant-revision", ...TAIL]);
    const requestId = Object.fromEntries(missing.head)["x-request-id"];
    expect(JSON.parse(missing.text)).toEqual({
      type: "urn:cxda:problem:not-found",
      title: "Not found",
      status: 404,
      detail: 'No action with id "00000000-0000-4000-8000-000000000000" in this tenant.',
      requestId,
    });
    const fault = await raw("GET", path, { ...auth, "x-emulator-fault": "status=503;retry-after=2" });
    expect(fault.status).toBe(503);
    expect(fault.head.map(([name]) => name)).toEqual([
      "x-request-id",
      "retry-after",
      "content-type",
      ...RATE,
      ...TAIL,
    ]);
    const delayed = await raw("GET", path, { ...auth, "x-emulator-fault": "delay=5" });
    expect(delayed.status).toBe(200);
    expect(delayed.text).toBe(ok.text);
    let limited = await raw("GET", path, auth);
    while (limited.status === 200) limited = await raw("GET", path, auth);
    expect(limited.status).toBe(429);
    expect(limited.head.map(([name]) => name)).toEqual([
      "x-request-id",
      "retry-after",
      "content-type",
      ...RATE,
      "x-tenant-revision",
      ...TAIL,
    ]);

    const log = JSON.parse((await raw("GET", "/_emulator/requests")).text).requests as Record<
      string,
      unknown
    >[];
    const gets = log.filter((e) => e.method === "GET");
    expect(gets.slice(0, 5).map((e) => [e.status, e.faulted, e.fault, e.retryAfter])).toEqual([
      [200, false, undefined, undefined],
      [401, false, undefined, undefined],
      [404, false, undefined, undefined],
      [503, true, "status", 2],
      [200, true, "delay", undefined],
    ]);
    expect(Object.keys(gets[3]!)).toEqual([
      "seq",
      "timestamp",
      "method",
      "path",
      "status",
      "clientId",
      "idempotencyKey",
      "faulted",
      "fault",
      "retryAfter",
      "requestId",
    ]);
    expect(gets.at(-1)).toMatchObject({ status: 429, retryAfter: expect.any(Number), path });
    expect(gets[2]).toMatchObject({
      requestId,
      path: "/api/v2/dataactions/00000000-0000-4000-8000-000000000000",
    });
  });
});
