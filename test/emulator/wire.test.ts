import { fetch } from "undici";
import { describe, expect, it } from "vitest";
import { api, type Emulator, scriptAction, slug, UNTHROTTLED, useTestEmulator } from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(
  UNTHROTTLED,
  (running) => {
    ({ emulator, token } = running);
  },
  { resetEach: false },
);

function expectProblem(
  res: { status: number; headers: Headers; body: { [k: string]: unknown } },
  status: number,
  problem: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body).toMatchObject({
    type: `urn:cxda:problem:${problem}`,
    status,
    requestId: res.headers.get("x-request-id"),
  });
  expect(typeof res.body.title).toBe("string");
  expect(typeof res.body.detail).toBe("string");
}

describe("wire conventions", () => {
  it("answers malformed JSON with 400 malformed-json", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", { token, raw: '{"name": "x",' });
    expectProblem(res, 400, "malformed-json");
    const empty = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: "",
      headers: { "content-type": "application/json" },
    });
    expectProblem(empty, 400, "malformed-json");
  });

  it("refuses JSON nested deeper than 512 levels with a message naming the depth, not a parser crash", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: `{"name": "deep", "x": ${deep}}`,
    });
    expectProblem(res, 400, "validation-failed");
    expect(res.body.detail).toContain("20001 levels deep; at most 512");
    // Brackets inside strings do not count.
    const quoted = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: JSON.stringify({ name: "quoted_brackets", type: "SCRIPT", description: "[".repeat(600) }),
    });
    expect(quoted.status).toBe(400);
    expect(JSON.stringify(quoted.body)).not.toContain("levels deep");
  });

  it("answers a body over 1 MiB with 413", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: JSON.stringify({ name: "big", pad: "x".repeat(1024 * 1024) }),
    });
    expectProblem(res, 413, "payload-too-large");
  });

  it("answers an unsupported content type with 415", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: "name=x",
      headers: { "content-type": "text/plain" },
    });
    expectProblem(res, 415, "unsupported-media-type");
    const form = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectProblem(form, 415, "unsupported-media-type");
  });

  it("answers an unknown route with 404 not-found", async () => {
    expectProblem(await api(emulator, "GET", "/nowhere"), 404, "not-found");
    expectProblem(await api(emulator, "GET", "/api/v2/nothing-here", { token }), 404, "not-found");
    expectProblem(
      await api(emulator, "POST", "/api/v2/dataactions/x/y/z", { token, body: {} }),
      404,
      "not-found",
    );
  });

  it("answers an unsupported method on a known path with 405 and Allow (RFC 9110 §15.5.6)", async () => {
    for (const [method, path, allow] of [
      ["DELETE", "/api/v2/dataactions", "GET, HEAD, POST"],
      ["POST", "/api/v2/dataactions/some-id", "DELETE, GET, HEAD, PATCH, PUT"],
      ["PUT", "/api/v2/dataactions/some-id/builds", "GET, HEAD, POST"],
      ["GET", "/api/v2/dataactions/some-id/environments/dev/variables/promote", "POST"],
      ["GET", "/oauth2/token", "POST"],
      ["DELETE", "/.well-known/openid-configuration", "GET, HEAD"],
    ] as const) {
      const res = await api(emulator, method, path, { token });
      expectProblem(res, 405, "method-not-allowed");
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.body.detail).toContain(allow);
    }
  });

  it("refuses prototype keys with 400 and keeps serving", async () => {
    for (const raw of [
      '{"__proto__": {"polluted": true}, "name": "proto_a", "type": "SCRIPT"}',
      '{"name": "proto_b", "config": {"constructor": {"prototype": {"polluted": true}}}}',
    ]) {
      const res = await api(emulator, "POST", "/api/v2/dataactions", { token, raw });
      expectProblem(res, 400, "validation-failed");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await api(emulator, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
  });

  it("puts X-Request-Id on every response, including OAuth errors, 404s and test hooks", async () => {
    const responses = [
      await api(emulator, "GET", "/nowhere"),
      await api(emulator, "POST", "/oauth2/token", {
        raw: "grant_type=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      await api(emulator, "GET", "/_emulator/faults"),
      await api(emulator, "POST", "/api/v2/dataactions", { token, body: scriptAction("req_id") }),
      await api(emulator, "GET", "/.well-known/openid-configuration"),
    ];
    const ids = responses.map((r) => r.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("answers a bad percent-encoding in the URL with a 400 problem, never a 5xx", async () => {
    const res = await fetch(`${emulator.url}/api/v2/dataactions/%E0%A4%A`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers wrong JSON shapes with 4xx, never a 5xx", async () => {
    for (const raw of ["null", "[]", "42", '"text"', '{"name": {"a": 1}, "type": []}']) {
      const res = await api(emulator, "POST", "/api/v2/dataactions", { token, raw });
      expect(res.status, raw).toBe(400);
    }
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("shape_target"),
    });
    for (const raw of ["null", "[]", "42"]) {
      expect(
        (await api(emulator, "PATCH", `/api/v2/dataactions/${created.body.id}`, { token, raw })).status,
        raw,
      ).toBe(400);
      expect(
        (await api(emulator, "PUT", `/api/v2/dataactions/${created.body.id}`, { token, raw })).status,
        raw,
      ).toBe(400);
    }
    const noBody = await api(emulator, "POST", "/api/v2/dataactions", { token });
    expect(noBody.status).toBe(400);
    expect(slug(noBody)).toBe("validation-failed");
  });
});
