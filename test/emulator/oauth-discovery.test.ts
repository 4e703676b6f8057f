/**
 * OAuth metadata that a client nobody here wrote accepts: openid-client (v6) discovers the emulator —
 * by RFC 8414 and by OpenID discovery — through 127.0.0.1, localhost and a --public-url in front of a
 * proxy, runs the client credentials grant with what it found, and revokes a token (RFC 7009).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuerFor, parsePublicUrl } from "../../src/emulator/issuer.js";
import { CLI, runCxda, scratchDir } from "../helpers/cli.js";
import { api, type Emulator, startTestEmulator } from "./helpers.js";

const CLIENT_ID = "cxda-demo";
const CLIENT_SECRET = "cxda-demo-secret";

async function discoverAndGrant(server: string, algorithm: "oauth2" | "oidc") {
  const config = await oidc.discovery(new URL(server), CLIENT_ID, CLIENT_SECRET, undefined, {
    algorithm,
    execute: [oidc.allowInsecureRequests],
  });
  const tokens = await oidc.clientCredentialsGrant(config, { scope: "dataactions:read" });
  return { metadata: config.serverMetadata(), tokens };
}

async function listActions(baseUrl: string, token: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/v2/dataactions`, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

describe("openid-client against a loopback emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  for (const name of ["127.0.0.1", "localhost"]) {
    for (const algorithm of ["oauth2", "oidc"] as const) {
      it(`discovers (${algorithm === "oauth2" ? "RFC 8414" : "OpenID"}) and runs client credentials via ${name}`, async () => {
        const server = emulator.url.replace("127.0.0.1", name);
        const { metadata, tokens } = await discoverAndGrant(server, algorithm);
        expect(metadata.issuer).toBe(server);
        expect(metadata.token_endpoint).toBe(`${server}/oauth2/token`);
        expect(tokens.token_type).toBe("bearer");
        expect(tokens.scope).toBe("dataactions:read");
        expect(await listActions(server, tokens.access_token)).toBe(200);
      });
    }
  }

  it("revokes a token through openid-client's RFC 7009 call, at the endpoint it discovered", async () => {
    const { tokens } = await discoverAndGrant(emulator.url, "oauth2");
    expect(await listActions(emulator.url, tokens.access_token)).toBe(200);
    const config = await oidc.discovery(new URL(emulator.url), CLIENT_ID, CLIENT_SECRET, undefined, {
      algorithm: "oauth2",
      execute: [oidc.allowInsecureRequests],
    });
    await oidc.tokenRevocation(config, tokens.access_token, { token_type_hint: "access_token" });
    expect(await listActions(emulator.url, tokens.access_token)).toBe(401);
  });

  it("serves RFC 8414 metadata with its required fields and no OpenID-only claims", async () => {
    const rfc = await api(emulator, "GET", "/.well-known/oauth-authorization-server");
    const openid = await api(emulator, "GET", "/.well-known/openid-configuration");
    expect(rfc.status).toBe(200);
    expect(rfc.headers.get("vary")).toMatch(/host/i);
    expect(rfc.body).toEqual({
      issuer: emulator.url,
      token_endpoint: `${emulator.url}/oauth2/token`,
      grant_types_supported: ["client_credentials", "password"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      revocation_endpoint: `${emulator.url}/oauth2/revoke`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      scopes_supported: expect.arrayContaining(["dataactions:read", "dataactions:admin"]),
      response_types_supported: [],
    });
    expect(openid.body).toEqual(rfc.body);
    for (const field of ["jwks_uri", "id_token_signing_alg_values_supported", "subject_types_supported"])
      expect(rfc.body).not.toHaveProperty(field);
  });
});

describe("issuerFor", () => {
  const fallback = "http://127.0.0.1:8787";
  it("follows a loopback Host (any loopback name, mapped port) and ignores any other", () => {
    const of = (hostHeader: string | undefined) => issuerFor({ publicUrl: undefined, hostHeader, fallback });
    expect(of("localhost:9000")).toBe("http://localhost:9000");
    expect(of("LOCALHOST:8787")).toBe("http://localhost:8787");
    expect(of("127.0.0.2:8787")).toBe("http://127.0.0.2:8787");
    expect(of("[::1]:8787")).toBe("http://[::1]:8787");
    expect(of("evil.example:8787")).toBe(fallback);
    expect(of("localhost@evil.example")).toBe(fallback);
    expect(of("localhost/x")).toBe(fallback);
    expect(of(undefined)).toBe(fallback);
    expect(issuerFor({ publicUrl: "https://cxda.example", hostHeader: "localhost:1", fallback })).toBe(
      "https://cxda.example",
    );
  });

  it("accepts an http(s) origin as public URL and refuses anything else, naming the field", () => {
    expect(parsePublicUrl("https://cxda.example:8443/", "--public-url")).toBe("https://cxda.example:8443");
    for (const [value, reason] of [
      ["cxda.example", /not an absolute URL/],
      ["ftp://cxda.example", /http or https/],
      ["http://cxda.example/api", /without a path/],
      ["http://u:p@cxda.example", /user name or password/],
      ["http://cxda.example/?a=1", /query or fragment/],
    ] as const)
      expect(() => parsePublicUrl(value, "--public-url")).toThrow(reason);
    expect(() => parsePublicUrl("cxda.example", "--public-url")).toThrow(/^--public-url "cxda.example"/);
  });
});

/** A reverse proxy on 127.0.0.1 that, like most, sends the upstream's own Host. */
async function startProxy(upstream: () => string): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? "/", upstream());
    const forward = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

async function startCli(
  args: string[],
  cwd: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [CLI, "emulator", "start", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") },
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("close", () => reject(new Error(`emulator exited: ${out}`)));
  });
  return { child, url };
}

describe("cxda emulator start --public-url", () => {
  it("advertises the public URL behind a proxy; without it discovery through the proxy fails", async () => {
    const cwd = scratchDir();
    let upstream = "";
    const proxy = await startProxy(() => upstream);
    const publicUrl = `http://localhost:${proxy.port}`;
    const withFlag = await startCli(["--public-url", publicUrl], cwd);
    try {
      upstream = withFlag.url;
      for (const algorithm of ["oauth2", "oidc"] as const) {
        const { metadata, tokens } = await discoverAndGrant(publicUrl, algorithm);
        expect(metadata.issuer).toBe(publicUrl);
        expect(metadata.token_endpoint).toBe(`${publicUrl}/oauth2/token`);
        expect(await listActions(publicUrl, tokens.access_token)).toBe(200);
      }
      // The bound address still answers, advertising the same public issuer.
      const direct = await fetch(`${withFlag.url}/.well-known/oauth-authorization-server`);
      expect(((await direct.json()) as { issuer: string }).issuer).toBe(publicUrl);
    } finally {
      withFlag.child.kill("SIGTERM");
    }

    const withConfig = join(cwd, "emulator.yaml");
    writeFileSync(
      withConfig,
      `publicUrl: ${publicUrl}\ntenants:\n  - id: demo\n    clients: [{id: ${CLIENT_ID}, secret: ${CLIENT_SECRET}}]\n`,
    );
    const fromConfig = await startCli(["--config", withConfig], cwd);
    try {
      upstream = fromConfig.url;
      expect((await discoverAndGrant(publicUrl, "oauth2")).metadata.issuer).toBe(publicUrl);
    } finally {
      fromConfig.child.kill("SIGTERM");
    }

    const without = await startCli([], cwd);
    try {
      upstream = without.url;
      await expect(discoverAndGrant(publicUrl, "oauth2")).rejects.toThrow(/issuer/i);
    } finally {
      without.child.kill("SIGTERM");
      proxy.server.closeAllConnections();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  }, 60_000);

  it("refuses a --public-url or config publicUrl that is not an http(s) origin", async () => {
    const cwd = scratchDir();
    const flag = await runCxda(["emulator", "start", "--port", "0", "--public-url", "http://x.example/api"], {
      cwd,
    });
    expect(flag.code).toBe(64);
    expect(flag.stderr).toMatch(/--public-url must be an origin without a path/);
    const config = join(cwd, "bad.yaml");
    writeFileSync(
      config,
      "publicUrl: ftp://x.example\ntenants:\n  - id: a\n    clients: [{id: a-ci, secret: s3cret}]\n",
    );
    const file = await runCxda(["emulator", "start", "--port", "0", "--config", config], { cwd });
    expect(file.code).toBe(65);
    expect(file.stderr).toMatch(/publicUrl: must use http or https/);
  });
});
