/**
 * The emulator's access log: one pino JSON line per request with the request id, tenant, client id,
 * method, route, status and duration — and never a token, a secret, a header value or a query.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fetch } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type EmulatorOptions } from "../../src/emulator/server.js";
import { CLI, scratchDir } from "../helpers/cli.js";
import { type Emulator, startTestEmulator } from "./helpers.js";

function collector(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join("");
  return {
    stream,
    text,
    lines: () =>
      text()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

let running: Emulator[] = [];
afterEach(async () => {
  for (const e of running) await e.close();
  running = [];
});

async function start(options: EmulatorOptions) {
  const emulator = await startTestEmulator(options);
  running.push(emulator);
  return emulator;
}

const TOKEN_SECRET_BODY = `grant_type=client_credentials&client_id=${DEMO_CLIENT_ID}&client_secret=${DEMO_CLIENT_SECRET}`;
const SECRETS = {
  header: "hdr-secret-value-9f8e7d6c5b4a",
  body: "body-secret-value-1a2b3c4d5e6f",
  query: "query-secret-value-0011223344",
  idempotency: "idem-key-value-5566778899",
  credentialHeader: "Bearer cfg-header-token-77665544",
};

describe("emulator access log", () => {
  it("logs the request's facts as JSON lines, and none of its secrets", async () => {
    const log = collector();
    const emulator = await start({ logLevel: "info", logDestination: log.stream });
    const tokenRes = await fetch(`${emulator.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: TOKEN_SECRET_BODY,
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const created = await fetch(`${emulator.url}/api/v2/dataactions?apiKey=${SECRETS.query}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": SECRETS.idempotency,
        "x-api-key": SECRETS.header,
        cookie: `session=${SECRETS.header}`,
      },
      body: JSON.stringify({
        name: "logged_action",
        type: "SCRIPT",
        description: SECRETS.body,
        script: { language: "JavaScript", content: `function main(c) { return "${SECRETS.body}"; }` },
        config: { headers: { Authorization: SECRETS.credentialHeader } },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${emulator.url}/api/v2/dataactions/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await read.text();
    const refused = await fetch(`${emulator.url}/api/v2/dataactions`, {
      headers: { authorization: "Bearer not-a-real-token-123456789" },
    });
    await refused.text();

    const lines = log.lines();
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(
        [
          "level",
          "time",
          "msg",
          "reqId",
          "tenant",
          "clientId",
          "method",
          "route",
          "status",
          "durationMs",
        ].sort(),
      );
      expect(line).toMatchObject({ level: "info", msg: "request" });
      expect(typeof line.durationMs).toBe("number");
      expect(new Date(line.time as string).toISOString()).toBe(line.time);
    }
    expect(lines[0]).toMatchObject({
      reqId: tokenRes.headers.get("x-request-id"),
      tenant: "demo",
      clientId: DEMO_CLIENT_ID,
      method: "POST",
      route: "/oauth2/token",
      status: 200,
    });
    expect(lines[1]).toMatchObject({
      reqId: created.headers.get("x-request-id"),
      tenant: "demo",
      clientId: DEMO_CLIENT_ID,
      method: "POST",
      route: "/api/v2/dataactions",
      status: 201,
    });
    expect(lines[2]).toMatchObject({ method: "GET", route: "/api/v2/dataactions/:id", status: 200 });
    expect(lines[3]).toMatchObject({ tenant: null, clientId: null, status: 401 });

    const text = log.text();
    for (const secret of [
      token,
      DEMO_CLIENT_SECRET,
      ...Object.values(SECRETS),
      "cfg-header-token",
      "not-a-real-token",
      "logged_action",
      id,
    ])
      expect(text).not.toContain(secret);
  });

  it("logs a faulted request, with the fault kind and no status when the connection was reset", async () => {
    const log = collector();
    const emulator = await start({ logLevel: "info", logDestination: log.stream });
    await fetch(`${emulator.url}/api/v2/dataactions`, { headers: { "x-emulator-fault": "reset" } }).catch(
      () => undefined,
    );
    const answered = await fetch(`${emulator.url}/api/v2/dataactions`, {
      headers: { "x-emulator-fault": "status=503;retry-after=1" },
    });
    await answered.text();
    expect(log.lines().map((l) => [l.status, l.fault])).toEqual([
      [null, "reset"],
      [503, "status"],
    ]);
  });

  it("is silent by default in-process, and below the level", async () => {
    const quiet = collector();
    const byDefault = await start({ logDestination: quiet.stream });
    const warnOnly = await start({ logLevel: "warn", logDestination: quiet.stream });
    for (const e of [byDefault, warnOnly]) await (await fetch(`${e.url}/api/v2/dataactions`)).text();
    expect(quiet.text()).toBe("");
  });

  it("writes one readable line per request with --log-format pretty (pino-pretty)", async () => {
    const log = collector();
    const emulator = await start({ logLevel: "info", logFormat: "pretty", logDestination: log.stream });
    await (
      await fetch(`${emulator.url}/api/v2/dataactions`, { headers: { authorization: "Bearer abcdef123" } })
    ).text();
    const lines = log.text().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /INFO.*GET \/api\/v2\/dataactions → 401 in [\d.]+ ms, tenant=null client=null id=[0-9a-f-]{36}$/,
    );
    expect(lines[0]).not.toContain("abcdef123");
  });

  it("refuses an unknown level in-process with a clear error", async () => {
    await expect(start({ logLevel: "verbose" as never })).rejects.toThrow(
      /log level "verbose" is not one of fatal, error/,
    );
  });
});

describe("cxda emulator start logs", () => {
  it("writes JSON access lines to standard error by default, none with --log-level silent", async () => {
    const cwd = scratchDir();
    const run = async (extra: string[]) => {
      const child = spawn(process.execPath, [CLI, "emulator", "start", "--port", "0", ...extra], {
        cwd,
        env: { ...process.env, NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") },
      });
      let out = "";
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on("close", () => reject(new Error(`emulator exited: ${out}${err}`)));
      });
      await (
        await fetch(`${url}/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: TOKEN_SECRET_BODY,
        })
      ).text();
      child.kill("SIGTERM");
      await closed;
      return { out, err };
    };
    const logged = await run([]);
    const line = logged.err.split("\n").find((l) => l.startsWith("{"));
    expect(JSON.parse(line!)).toMatchObject({
      msg: "request",
      route: "/oauth2/token",
      status: 200,
      tenant: "demo",
    });
    expect(logged.out).not.toContain('"msg"');
    expect(logged.err).not.toContain(DEMO_CLIENT_SECRET);
    const silent = await run(["--log-level", "silent"]);
    expect(silent.err).not.toContain('"msg"');
  }, 60_000);
});
