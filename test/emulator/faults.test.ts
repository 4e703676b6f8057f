import { fetch } from "undici";
import { describe, expect, it } from "vitest";
import { parseFaultHeader, pathMatches } from "../../src/emulator/faults.js";
import {
  api,
  createAction,
  type Emulator,
  scriptAction,
  slug,
  UNTHROTTLED,
  useTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(UNTHROTTLED, (running) => {
  ({ emulator, token } = running);
});

const setRules = (rules: unknown[]) => api(emulator, "PUT", "/_emulator/faults", { body: { rules } });

describe("fault rules", () => {
  it("PUT validates and stores the rules with their defaults; GET returns them", async () => {
    const put = await setRules([
      { method: "post", path: "/api/v2/dataactions/*", status: 503, retryAfter: 1 },
    ]);
    expect(put.status).toBe(200);
    const get = await api(emulator, "GET", "/_emulator/faults");
    expect(get.body.rules).toEqual([
      {
        method: "POST",
        path: "/api/v2/dataactions/*",
        status: 503,
        retryAfter: 1,
        delayMs: 0,
        drop: false,
        reset: false,
        probability: 1,
        count: null,
        remaining: null,
      },
    ]);
  });

  it("an invalidation lag is refused with 400 invalid-fault: a bad delayMs names the field, and one emulator without replicas says what it needs", async () => {
    for (const body of [{}, { delayMs: -1 }, { delayMs: 1.5 }, { delayMs: 60_001 }, { delayMs: "100" }]) {
      const res = await api(emulator, "PUT", "/_emulator/invalidation-lag", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(slug(res)).toBe("invalid-fault");
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["delayMs"]);
      expect(res.body.detail).toContain("from 0 (no lag) to 60000");
    }
    const alone = await api(emulator, "PUT", "/_emulator/invalidation-lag", { body: { delayMs: 100 } });
    expect(alone.status).toBe(400);
    expect(slug(alone)).toBe("invalid-fault");
    expect(alone.body.detail).toContain("--database postgres://");
  });

  it("refuses invalid rules with 400 invalid-fault naming each field", async () => {
    const res = await setRules([
      { path: "no-slash", status: 503 },
      { path: "/x", status: 299 },
      { path: "/x", probability: 2, drop: true },
      { path: "/x" },
      { path: "/x", drop: true, reset: true },
      { path: "/x", status: 503, bogus: 1 },
    ]);
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("invalid-fault");
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "body.rules[0].path",
        "body.rules[1].status",
        "body.rules[2].probability",
        "body.rules[3]",
        "body.rules[4]",
        "body.rules[5]",
      ]),
    );
    expect((await api(emulator, "PUT", "/_emulator/faults", { raw: "{" })).status).toBe(400);
    expect((await api(emulator, "GET", "/_emulator/faults")).body.rules).toEqual([]);
  });

  it("answers the rule's status with Retry-After, `count` times only, and logs it as faulted", async () => {
    await setRules([{ method: "GET", path: "/api/v2/dataactions", status: 503, retryAfter: 2, count: 2 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(emulator, "GET", "/api/v2/dataactions", { token });
      statuses.push(res.status);
      if (res.status === 503) {
        expect(slug(res)).toBe("service-unavailable");
        expect(res.headers.get("retry-after")).toBe("2");
      }
    }
    expect(statuses).toEqual([503, 503, 200]);
    expect((await api(emulator, "GET", "/_emulator/faults")).body.rules[0].remaining).toBe(0);
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests;
    expect(log.map((r: { status: number; faulted: boolean }) => [r.status, r.faulted])).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
    expect(log[0]).toMatchObject({
      method: "GET",
      path: "/api/v2/dataactions",
      retryAfter: 2,
      fault: "status",
      seq: 1,
    });
    expect(log[2].seq).toBe(3);
  });

  it("never fires a rule with probability 0, and always one with probability 1", async () => {
    await setRules([
      { path: "/api/v2/dataactions", status: 500, probability: 0 },
      { path: "/api/v2/**", status: 502, probability: 1 },
    ]);
    const res = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(res.status).toBe(502);
    expect(slug(res)).toBe("bad-gateway");
  });

  it("`reset` destroys the connection without handling; `drop` handles, commits, then destroys", async () => {
    await setRules([{ method: "POST", path: "/api/v2/dataactions", reset: true, count: 1 }]);
    const post = () =>
      fetch(`${emulator.url}/api/v2/dataactions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(scriptAction("fault_target")),
      });
    await expect(post()).rejects.toThrow();
    expect((await api(emulator, "GET", "/api/v2/dataactions?name=fault_target", { token })).body.total).toBe(
      0,
    );
    await setRules([{ method: "POST", path: "/api/v2/dataactions", drop: true, count: 1 }]);
    await expect(post()).rejects.toThrow();
    expect((await api(emulator, "GET", "/api/v2/dataactions?name=fault_target", { token })).body.total).toBe(
      1,
    );
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests;
    expect(
      log
        .filter((r: { faulted: boolean }) => r.faulted)
        .map((r: { fault: string; status: number | null }) => [r.fault, r.status]),
    ).toEqual([
      ["reset", null],
      ["drop", 201],
    ]);
  });

  it("honours the X-Emulator-Fault header and refuses a malformed one with 400", async () => {
    const res = await api(emulator, "GET", "/api/v2/dataactions", {
      token,
      headers: { "x-emulator-fault": "status=503;retry-after=1" },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const bad = await api(emulator, "GET", "/api/v2/dataactions", {
      token,
      headers: { "x-emulator-fault": "explode=1" },
    });
    expect(bad.status).toBe(400);
    expect(slug(bad)).toBe("invalid-fault");
    const delayed = await api(emulator, "GET", "/api/v2/dataactions", {
      token,
      headers: { "x-emulator-fault": "delay=50" },
    });
    expect(delayed.status).toBe(200);
  });

  it("POST /_emulator/reset empties the data, the request log and the rules", async () => {
    await createAction(emulator, token, scriptAction("before_reset"));
    await setRules([{ path: "/nothing", status: 503 }]);
    const reset = await api(emulator, "POST", "/_emulator/reset");
    expect(reset.status).toBe(204);
    expect((await api(emulator, "GET", "/_emulator/faults")).body.rules).toEqual([]);
    expect((await api(emulator, "GET", "/_emulator/requests")).body.requests).toEqual([]);
    const list = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(0);
  });
});

describe("fault matching", () => {
  it("matches whole segments, `*` one segment and `**` any rest", () => {
    expect(pathMatches("/api/v2/dataactions/*", "/api/v2/dataactions/abc")).toBe(true);
    expect(pathMatches("/api/v2/dataactions/*", "/api/v2/dataactions")).toBe(false);
    expect(pathMatches("/api/v2/dataactions/*", "/api/v2/dataactions/abc/test")).toBe(false);
    expect(pathMatches("/api/v2/data", "/api/v2/dataactions")).toBe(false);
    expect(pathMatches("/api/**", "/api/v2/dataactions/abc/test")).toBe(true);
    expect(pathMatches("/api/**", "/api")).toBe(true);
    expect(pathMatches("/**", "/anything/at/all")).toBe(true);
  });

  it("parses the X-Emulator-Fault header forms", () => {
    expect(parseFaultHeader("status=503;retry-after=1")).toMatchObject({ status: 503, retryAfter: 1 });
    expect(parseFaultHeader("drop")).toMatchObject({ drop: true, status: null });
    expect(parseFaultHeader("delay=500")).toMatchObject({ delayMs: 500 });
    expect(parseFaultHeader("reset")).toMatchObject({ reset: true });
    expect(() => parseFaultHeader("status=abc")).toThrow();
    expect(() => parseFaultHeader("drop;reset")).toThrow();
    expect(() => parseFaultHeader("")).toThrow();
  });
});

describe("faults on the token endpoint", () => {
  it("answers an OAuth-shaped error with the injected status and Retry-After", async () => {
    const res = await api(emulator, "POST", "/oauth2/token", {
      raw: "grant_type=client_credentials&client_id=cxda-demo&client_secret=cxda-demo-secret",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-emulator-fault": "status=503;retry-after=3",
      },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(res.body.error).toBe("server_error");
    expect(res.text).not.toContain("cxda-demo-secret");
  });
});
