/**
 * The console's HTTP surface without a browser: the one-time login, the session cookie, the guards
 * (Host, Origin, Sec-Fetch-Site), the security headers, and what the API answers over a real tenant.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole } from "../../src/console/server.js";
import { createClient } from "../../src/index.js";
import { type Body, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { applyExample, CLIENT_SECRET, type ConsoleFixture, makeDrift, startFixture } from "./fixture.js";

let f: ConsoleFixture;
let cookie: string;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f?.close());

async function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  const res = await request(`${f.console.url}${path}`, { method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe("cxda console: login and session", () => {
  it("exchanges the one-time token for an HttpOnly SameSite=Strict cookie and redirects to /", async () => {
    const path = new URL(f.console.loginUrl).pathname + new URL(f.console.loginUrl).search;
    const first = await get(path);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/");
    const setCookie = String(first.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(";")[0]!;
    // The token is spent: a second visit with it gets no session.
    const again = await get(path);
    expect(again.status).toBe(403);
    expect(again.headers["set-cookie"]).toBeUndefined();
    expect(again.text).toContain("run cxda console again");
  });

  it("a wrong token gets no session", async () => {
    const res = await get("/?token=not-the-token");
    expect(res.status).toBe(403);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("answers nothing without the session: page, scripts, vendored libraries and API", async () => {
    for (const path of ["/", "/app/main.js", "/vendor/preact.js", "/api/model", "/api/audit"]) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.text, path).toContain("open the URL that cxda console printed");
      const forged = await get(path, { cookie: `${cookie.split("=")[0]}=forged-session-id` });
      expect(forged.status, path).toBe(401);
    }
  });

  it("serves the page with the session, under a strict CSP, with no inline script", async () => {
    const res = await get("/", { cookie });
    expect(res.status).toBe(200);
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["cache-control"]).toBe("no-store");
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body!.trim()).toBe("");
      expect(attrs).toMatch(/src="\/app\//);
    }
    // Nothing the page links to is elsewhere.
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("refuses another Host (DNS rebinding), cross-site fetches and cross-origin writes", async () => {
    expect((await get("/api/model", { cookie, host: "evil.example" })).status).toBe(421);
    expect((await get("/api/model", { cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
    const cross = await get("/api/model", { cookie, origin: "http://evil.example" }, "POST");
    expect(cross.status).toBe(403);
    expect(cross.text).toContain("cross-origin");
    const noOrigin = await get("/api/model", { cookie }, "POST");
    expect(noOrigin.status).toBe(403);
    // From its own page a write passes the guard; the console has none to offer.
    const own = await get(
      "/api/model",
      { cookie, origin: f.console.url, "sec-fetch-site": "same-origin" },
      "POST",
    );
    expect(own.status).toBe(405);
  });

  it("serves the vendored libraries as ES modules that import nothing from elsewhere", async () => {
    for (const lib of ["preact", "hooks", "htm", "dagre"]) {
      const res = await get(`/vendor/${lib}.js`, { cookie });
      expect(res.status, lib).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/javascript/);
      const imports = [...res.text.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]);
      for (const spec of imports) expect(spec, lib).toMatch(/^\.\//);
      expect(res.text).not.toContain("sourceMappingURL");
    }
  });

  it("/api/model has the tenant: actions, environments, drift, effective variables", async () => {
    const res = await get("/api/model", { cookie });
    expect(res.status).toBe(200);
    const model = JSON.parse(res.text);
    expect(model.source).toBe("snapshot");
    expect(model.environments.map((e: { id: string }) => e.id)).toEqual(["dev", "staging", "prod"]);
    expect(model.actions.map((a: { name: string }) => a.name)).toEqual([
      "callback_scheduler",
      "crm_lookup",
      "lead_score",
      "normalize_phone",
      "route_to_queue",
      "wrapup_notify",
    ]);
    const crm = model.actions.find((a: { name: string }) => a.name === "crm_lookup");
    expect(crm.dependents).toEqual(["lead_score"]);
    expect(crm.headers).toContainEqual({ name: "Authorization", value: "***", masked: true });
    expect(crm.headers).toContainEqual({ name: "X-Source", value: "cxda", masked: false });
    const apiKey = crm.variables.find((v: { name: string }) => v.name === "apiKey");
    expect(apiKey).toMatchObject({ encrypted: true, value: null });
    expect(apiKey.keyId).toEqual(expect.any(String));
    expect(apiKey.fingerprint).toEqual(expect.any(String));
    expect(crm.effective.staging).toContainEqual({
      name: "CRM_BASE_URL",
      value: "https://crm-staging.example.com",
      source: "override",
      secret: false,
      shadows: [],
    });
    expect(crm.effective.prod).toContainEqual(
      expect.objectContaining({ name: "apiKey", value: "***", source: "action" }),
    );
    expect(model.drift.prod.staging.route_to_queue).toEqual([
      { name: "QUEUE_API_SECRET", kind: "masked_mismatch", baseline: "***", target: "***" },
    ]);
    expect(model.drift.prod.dev.normalize_phone).toEqual([
      { name: "DEBUG", kind: "only_in_target", target: "true" },
    ]);
    expect(model.drift.prod.staging.lead_score).toBeUndefined();
    expect(model.cycles).toEqual([]);
  });

  it("/api/audit has the audit log's records with their request ids and webhook outcomes", async () => {
    const res = await get("/api/audit", { cookie });
    const audit = JSON.parse(res.text);
    expect(audit.records.length).toBeGreaterThanOrEqual(3);
    const failure = audit.records.find((r: { outcome: string }) => r.outcome === "failure");
    expect(failure).toMatchObject({ operation: "actions.delete", target: { name: "no_such_action" } });
    const write = audit.records.find((r: { operation: string }) => r.operation === "overrides.apply");
    expect(write.requestId).toEqual(expect.any(String));
    expect(write.webhook).toMatchObject({ delivered: true });
  });
});

describe("cxda console over a server without snapshots", () => {
  it("reads the paged expand list instead and builds the same model", async () => {
    const emulator = await startTestEmulator({ ...UNTHROTTLED, disableCapabilities: ["snapshot"] });
    const sdk = createClient({
      baseUrl: emulator.url,
      auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: CLIENT_SECRET },
    });
    try {
      await applyExample(sdk);
      await makeDrift(sdk);
      const running = await startConsole({ sdk, auditLog: "missing-audit.jsonl", port: 0 });
      try {
        const login = await request(running.loginUrl);
        await login.body.text();
        const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
        const res = await request(`${running.url}/api/model`, { headers: { cookie } });
        const model = (await res.body.json()) as Body;
        expect(model.source).toBe("list");
        expect(model.actions).toHaveLength(6);
        expect(model.drift.prod.staging.route_to_queue).toEqual([
          { name: "QUEUE_API_SECRET", kind: "masked_mismatch", baseline: "***", target: "***" },
        ]);
        const crm = model.actions.find((a: { name: string }) => a.name === "crm_lookup");
        expect(crm.effective.dev).toContainEqual(
          expect.objectContaining({ name: "CRM_BASE_URL", source: "override" }),
        );
        // A missing audit log is an empty list with the reason, not an error.
        const audit = await request(`${running.url}/api/audit`, { headers: { cookie } });
        const body = (await audit.body.json()) as Body;
        expect(body.records).toEqual([]);
        expect(body.problems[0].message).toContain("does not exist");
      } finally {
        await running.close();
      }
    } finally {
      await sdk.close();
      await emulator.close();
    }
  });
});
