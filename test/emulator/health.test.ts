/**
 * The probes (`GET /healthz`, `GET /readyz`) and the graceful shutdown: in-flight requests finish,
 * new connections are refused, and a request that outlives the grace period is cut.
 */
import { fetch, request } from "undici";
import { describe, expect, it } from "vitest";
import { startTestEmulator } from "./helpers.js";

describe("health probes", () => {
  it("answer without a token and are not rate limited", async () => {
    const emulator = await startTestEmulator({ rateLimit: { perMinute: 1, burst: 1 } });
    try {
      for (let i = 0; i < 5; i += 1) {
        const health = await fetch(`${emulator.url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: "ok", replica: emulator.replicaId });
        expect(health.headers.get("ratelimit-limit")).toBeNull();
        const ready = await fetch(`${emulator.url}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok" } });
      }
    } finally {
      await emulator.close();
    }
  });

  it("/readyz answers 503 with Retry-After when the database does not answer; /healthz stays 200", async () => {
    const emulator = await startTestEmulator();
    try {
      emulator.store.close();
      const ready = await fetch(`${emulator.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get("retry-after")).toBe("1");
      const problem = (await ready.json()) as { type: string; detail: string };
      expect(problem.type).toMatch(/service-unavailable$/);
      expect(problem.detail).toContain("database does not answer");
      expect((await fetch(`${emulator.url}/healthz`)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("lets an in-flight request finish, then refuses new connections", async () => {
    const emulator = await startTestEmulator();
    const inFlight = request(`${emulator.url}/healthz`, { headers: { "x-emulator-fault": "delay=400" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = emulator.close();
    const response = await inFlight;
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toMatchObject({ status: "ok" });
    await closed;
    await expect(fetch(`${emulator.url}/healthz`)).rejects.toThrow();
  });

  it("cuts a request still running when the grace period ends", async () => {
    const emulator = await startTestEmulator({ shutdownGraceMs: 100 });
    // Settled into a value at once: the cut may come while close() is still running (PostgreSQL).
    const inFlight = request(`${emulator.url}/healthz`, {
      headers: { "x-emulator-fault": "delay=5000" },
    }).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await emulator.close();
    // Left to finish, it would answer 200 after its 5 s delay.
    expect(await inFlight).toBe("cut");
  });
});
