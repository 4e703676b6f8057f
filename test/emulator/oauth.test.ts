import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorConfigInput } from "../../src/emulator/config.js";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../../src/emulator/server.js";
import {
  api,
  basic,
  type Emulator,
  getToken,
  revocationRequest,
  slug,
  startTestEmulator,
  tokenRequest,
} from "./helpers.js";

const config: EmulatorConfigInput = {
  tenants: [
    {
      id: "acme",
      clients: [
        { id: "acme-ci", secret: "acme-ci-secret", scopes: ["dataactions:read", "dataactions:write"] },
        { id: "acme-reader", secret: "reader-secret", scopes: ["dataactions:read"] },
      ],
      accessKeys: [{ id: "AKIA1", secret: "access-key-secret", client: "acme-ci" }],
    },
  ],
};

let now = 1_700_000_000_000;
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ config, tokenTtlSeconds: 60, clock: () => now });
});
afterAll(() => emulator.close());

describe("OAuth2", () => {
  it("serves the discovery document", async () => {
    const res = await api(emulator, "GET", "/.well-known/openid-configuration");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: emulator.url,
      token_endpoint: `${emulator.url}/oauth2/token`,
      grant_types_supported: ["client_credentials", "password"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      revocation_endpoint: `${emulator.url}/oauth2/revoke`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    });
    expect(res.body.scopes_supported).toContain("dataactions:admin");
  });

  describe("revocation (RFC 7009)", () => {
    const ci = { id: "acme-ci", secret: "acme-ci-secret" };
    const reader = { id: "acme-reader", secret: "reader-secret" };

    it("a token revoked by its client is refused from then on; revoking it again, or an unknown token, answers 200", async () => {
      const token = await getToken(emulator, ci);
      // Used (and so verified and kept in memory) before it is revoked.
      expect((await api(emulator, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
      const revoked = await revocationRequest(
        emulator,
        { token },
        { authorization: basic(ci.id, ci.secret) },
      );
      expect(revoked.status).toBe(200);
      expect(revoked.text).toBe("");
      expect(revoked.headers.get("cache-control")).toBe("no-store");
      const after = await api(emulator, "GET", "/api/v2/dataactions", { token });
      expect(after.status).toBe(401);
      expect(after.headers.get("www-authenticate")).toContain("invalid_token");
      // Client authentication in the body works as at the token endpoint.
      const again = await revocationRequest(emulator, {
        token,
        token_type_hint: "access_token",
        client_id: ci.id,
        client_secret: ci.secret,
      });
      expect(again.status).toBe(200);
      const unknown = await revocationRequest(
        emulator,
        { token: "not-a-token-this-server-issued" },
        { authorization: basic(ci.id, ci.secret) },
      );
      expect(unknown.status).toBe(200);
      // Other tokens of the same client stay valid.
      const other = await getToken(emulator, ci);
      expect((await api(emulator, "GET", "/api/v2/dataactions", { token: other })).status).toBe(200);
    });

    it("refuses to revoke another client's token, which stays valid", async () => {
      const token = await getToken(emulator, ci);
      const res = await revocationRequest(
        emulator,
        { token },
        { authorization: basic(reader.id, reader.secret) },
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("unauthorized_client");
      expect(res.text).not.toContain(token);
      expect((await api(emulator, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
    });

    it("answers RFC 6749 errors for a bad revocation request, never echoing a secret or the token", async () => {
      const token = await getToken(emulator, ci);
      const wrong = await revocationRequest(
        emulator,
        { token },
        { authorization: basic(ci.id, "wrong-secret") },
      );
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toBe("invalid_client");
      expect(wrong.headers.get("www-authenticate")).toContain("Basic");
      expect(wrong.text).not.toContain("wrong-secret");
      expect(wrong.text).not.toContain(token);
      const none = await revocationRequest(emulator, {}, { authorization: basic(ci.id, ci.secret) });
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ error: "invalid_request" });
      expect(none.body.error_description).toContain("token is required");
      const hint = await revocationRequest(
        emulator,
        { token, token_type_hint: "refresh_token" },
        { authorization: basic(ci.id, ci.secret) },
      );
      expect(hint.status).toBe(400);
      expect(hint.body.error).toBe("unsupported_token_type");
      const anonymous = await revocationRequest(emulator, { token });
      expect(anonymous.status).toBe(401);
      // None of these revoked it.
      expect((await api(emulator, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
    });
  });

  it("issues a token with HTTP Basic client authentication", async () => {
    const res = await tokenRequest(
      emulator,
      { grant_type: "client_credentials" },
      { authorization: basic("acme-ci", "acme-ci-secret") },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 60,
      scope: "dataactions:read dataactions:write",
    });
    expect(res.body.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it("issues a token with client_secret_post (credentials in the body)", async () => {
    const res = await tokenRequest(emulator, {
      grant_type: "client_credentials",
      client_id: "acme-ci",
      client_secret: "acme-ci-secret",
    });
    expect(res.status).toBe(200);
    const list = await api(emulator, "GET", "/api/v2/dataactions", { token: res.body.access_token });
    expect(list.status).toBe(200);
  });

  it("issues a token for an access key with the password grant (client by Basic)", async () => {
    const ok = await tokenRequest(
      emulator,
      { grant_type: "password", username: "AKIA1", password: "access-key-secret" },
      { authorization: basic("acme-ci", "acme-ci-secret") },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe("Bearer");
    const wrong = await tokenRequest(
      emulator,
      { grant_type: "password", username: "AKIA1", password: "nope" },
      { authorization: basic("acme-ci", "acme-ci-secret") },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_grant");
    const otherClient = await tokenRequest(
      emulator,
      { grant_type: "password", username: "AKIA1", password: "access-key-secret" },
      { authorization: basic("acme-reader", "reader-secret") },
    );
    expect(otherClient.body.error).toBe("invalid_grant");
  });

  it("refuses a bad client with 401 invalid_client and WWW-Authenticate: Basic, never echoing the secret", async () => {
    const res = await tokenRequest(
      emulator,
      { grant_type: "client_credentials" },
      { authorization: basic("acme-ci", "wrong-secret") },
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(res.text).not.toContain("wrong-secret");
    const unknown = await tokenRequest(emulator, {
      grant_type: "client_credentials",
      client_id: "ghost",
      client_secret: "x",
    });
    expect(unknown.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers RFC 6749 errors for bad requests", async () => {
    const auth = { authorization: basic("acme-ci", "acme-ci-secret") };
    expect((await tokenRequest(emulator, {}, auth)).body.error).toBe("invalid_request");
    expect((await tokenRequest(emulator, { grant_type: "implicit" }, auth)).body.error).toBe(
      "unsupported_grant_type",
    );
    const json = await api(emulator, "POST", "/oauth2/token", {
      body: { grant_type: "client_credentials" },
      headers: auth,
    });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe("invalid_request");
  });

  it("treats a parameter sent without a value as omitted (RFC 6749 §3.2)", async () => {
    const auth = { authorization: basic("acme-ci", "acme-ci-secret") };
    const empties: Record<string, string>[] = [
      { client_id: "" },
      { client_secret: "" },
      { client_id: "", client_secret: "" },
    ];
    for (const empty of empties) {
      const res = await tokenRequest(emulator, { grant_type: "client_credentials", ...empty }, auth);
      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe("Bearer");
    }
    const noGrant = await tokenRequest(emulator, { grant_type: "" }, auth);
    expect(noGrant.body.error_description).toMatch(/grant_type is required/);
  });

  it("grants every client scope when scope is omitted and refuses an ungranted scope with invalid_scope", async () => {
    const reader = { authorization: basic("acme-reader", "reader-secret") };
    const all = await tokenRequest(emulator, { grant_type: "client_credentials" }, reader);
    expect(all.body.scope).toBe("dataactions:read");
    const bad = await tokenRequest(
      emulator,
      { grant_type: "client_credentials", scope: "dataactions:read dataactions:write" },
      reader,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_scope");
    const narrowed = await tokenRequest(
      emulator,
      { grant_type: "client_credentials", scope: "dataactions:read" },
      { authorization: basic("acme-ci", "acme-ci-secret") },
    );
    expect(narrowed.body.scope).toBe("dataactions:read");
  });

  it("answers 401 with WWW-Authenticate Bearer invalid_token for a missing, unknown or expired token", async () => {
    const missing = await api(emulator, "GET", "/api/v2/dataactions");
    expect(missing.status).toBe(401);
    expect(slug(missing)).toBe("unauthorized");
    expect(missing.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const unknown = await api(emulator, "GET", "/api/v2/dataactions", { token: "not-a-real-token" });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");

    const token = await getToken(emulator, { id: "acme-ci", secret: "acme-ci-secret" });
    expect((await api(emulator, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
    now += 61_000;
    const expired = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("answers 403 insufficient-scope when the token lacks the method's scope", async () => {
    const readToken = await getToken(emulator, { id: "acme-reader", secret: "reader-secret" });
    expect((await api(emulator, "GET", "/api/v2/dataactions", { token: readToken })).status).toBe(200);
    const post = await api(emulator, "POST", "/api/v2/dataactions", {
      token: readToken,
      body: { name: "abc", type: "SCRIPT" },
    });
    expect(post.status).toBe(403);
    expect(slug(post)).toBe("insufficient-scope");
    expect(post.body.detail).toContain("dataactions:write");
    const ci = await getToken(emulator, { id: "acme-ci", secret: "acme-ci-secret" });
    const del = await api(emulator, "DELETE", "/api/v2/dataactions/whatever", { token: ci });
    expect(del.status).toBe(403);
    expect(del.body.detail).toContain("dataactions:delete");
  });
});

describe("the default config", () => {
  it("lets the demo client in with every scope", async () => {
    const demo = await startTestEmulator();
    try {
      const res = await tokenRequest(
        demo,
        { grant_type: "client_credentials" },
        { authorization: basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET) },
      );
      expect(res.body.scope.split(" ").sort()).toEqual([
        "dataactions:admin",
        "dataactions:delete",
        "dataactions:execute",
        "dataactions:read",
        "dataactions:write",
      ]);
      expect(res.body.expires_in).toBe(3600);
      expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await demo.close();
    }
  });
});
