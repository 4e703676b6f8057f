/**
 * Issue 15 item 1: the test-hook guard, the rate limiter and the fault rules decide on the path the
 * router matches, so no spelling of a guarded path walks around them. Sent over real HTTP, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENCODINGS, rawRequest } from "../helpers/encoded-paths.js";
import { createAction, type Emulator, getToken, scriptAction, startTestEmulator } from "./helpers.js";

const HOOKS: [string, string, string?][] = [
  ["POST", "/_emulator/reset"],
  ["PUT", "/_emulator/faults", JSON.stringify({ rules: [{ path: "/**", status: 503 }] })],
  ["GET", "/_emulator/faults"],
  ["GET", "/_emulator/requests"],
];

function send(emulator: Emulator, method: string, target: string, body?: string, token?: string) {
  return rawRequest(emulator.url, method, target, {
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body }),
  });
}

describe("test hooks that are off stay off under every spelling", () => {
  let emulator: Emulator;
  let token: string;
  beforeAll(async () => {
    emulator = await startTestEmulator({ testHooks: false });
    token = await getToken(emulator);
  });
  afterAll(() => emulator.close());

  it.each(ENCODINGS)("%s", async (_name, encode) => {
    const action = await createAction(
      emulator,
      token,
      scriptAction(`hooks_${Math.random().toString(36).slice(2, 8)}`),
    );
    for (const [method, path, body] of [
      ...HOOKS,
      ...HOOKS.map(([m, p, b]) => [m, encode(p, emulator.url), b]),
    ] as [string, string, string?][]) {
      const res = await send(emulator, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(JSON.parse(res.text).detail).toContain("--test-hooks");
    }
    // Nothing was reset and no fault rule took effect.
    const still = await send(emulator, "GET", `/api/v2/dataactions/${action.id}`, undefined, token);
    expect(still.status).toBe(200);
  });
});

describe("test hooks that are on answer every spelling the same way", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  it.each(ENCODINGS)("%s reaches the same route", async (_name, encode) => {
    const res = await send(emulator, "GET", encode("/_emulator/faults", emulator.url));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ rules: [] });
  });
});

describe("the rate limiter and the fault rules see through every spelling", () => {
  let emulator: Emulator;
  let token: string;
  beforeAll(async () => {
    emulator = await startTestEmulator({
      rateLimit: { perMinute: 1, burst: 2 },
      clock: () => 1_700_000_000_000,
    });
    token = await getToken(emulator);
  });
  afterAll(() => emulator.close());

  it("answers 429 with RateLimit-* to every spelling of /api/v2 once the bucket is empty", async () => {
    for (let i = 0; i < 2; i++)
      expect((await send(emulator, "GET", "/api/v2/dataactions", undefined, token)).status).toBe(200);
    for (const [name, encode] of ENCODINGS) {
      const res = await send(emulator, "GET", encode("/api/v2/dataactions", emulator.url), undefined, token);
      expect(res.status, name).toBe(429);
      expect(res.headers["ratelimit-remaining"], name).toBe("0");
      expect(res.headers["retry-after"], name).toBeDefined();
    }
  });

  it("applies a fault rule to every spelling of its path", async () => {
    await send(emulator, "POST", "/_emulator/reset");
    await send(
      emulator,
      "PUT",
      "/_emulator/faults",
      JSON.stringify({ rules: [{ method: "GET", path: "/api/v2/environments", status: 502 }] }),
    );
    for (const [name, encode] of ENCODINGS) {
      const res = await send(emulator, "GET", encode("/api/v2/environments", emulator.url), undefined, token);
      expect(res.status, name).toBe(502);
    }
  });
});
