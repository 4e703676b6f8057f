/** client.snapshot: the NDJSON reader (pure) and the SDK over the emulator and a server that cuts the stream. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncompleteSnapshotError, parseSnapshot } from "../../src/client/resources/snapshot.js";
import { createClient } from "../../src/index.js";
import { api, type Emulator, getToken, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";

const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;
const HEADER =
  '{"kind":"header","revision":4,"environments":[{"id":"dev","name":"development","order":0,"buildOnChange":true}]}';
const ACTION =
  '{"kind":"action","action":{"id":"a1","name":"one"},"variables":{"version":1,"variables":[]},"overrides":{"dev":{"version":1,"variables":[]}}}';
const GLOBALS = '{"kind":"globals","variables":{"version":1,"variables":[]}}';

describe("parseSnapshot", () => {
  it("reads header, actions, globals and end", () => {
    const snapshot = parseSnapshot([HEADER, ACTION, GLOBALS, '{"kind":"end","actions":1}', ""].join("\n"));
    expect(snapshot.revision).toBe(4);
    expect(snapshot.environments.map((e) => e.id)).toEqual(["dev"]);
    expect(snapshot.actions.map((a) => a.action.name)).toEqual(["one"]);
    expect(snapshot.globals).toEqual({ version: 1, variables: [] });
  });

  it.each([
    ["no end line", [HEADER, ACTION, GLOBALS, ""].join("\n"), /without its end line/],
    ["a line cut mid-way", `${HEADER}\n${ACTION.slice(0, 40)}`, /without a newline/],
    [
      "an end count that differs",
      [HEADER, GLOBALS, '{"kind":"end","actions":1}', ""].join("\n"),
      /counts 1 actions, but 0/,
    ],
    ["nothing", "", /empty/],
    ["no header first", [ACTION, GLOBALS, '{"kind":"end","actions":1}', ""].join("\n"), /header/],
  ])("refuses a stream with %s", (_, text, message) => {
    expect(() => parseSnapshot(text)).toThrow(IncompleteSnapshotError);
    expect(() => parseSnapshot(text)).toThrow(message);
  });
});

describe("client.snapshot over HTTP", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator(UNTHROTTLED);
  });
  afterAll(() => emulator.close());

  it("reads the emulator's snapshot and sees the capability", async () => {
    const token = await getToken(emulator);
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: {
        name: "snap_sdk",
        type: "SCRIPT",
        script: { language: "JavaScript", content: "function main(c) { return c; }" },
      },
    });
    const client = createClient({ baseUrl: emulator.url, auth });
    try {
      expect(await client.snapshot.capabilities()).toContain("snapshot");
      const snapshot = await client.snapshot.read();
      expect(snapshot.actions.map((a) => a.action.name)).toEqual(["snap_sdk"]);
      expect(snapshot.environments.map((e) => e.id)).toEqual(["dev", "staging", "prod"]);
    } finally {
      await client.close();
    }
  });

  it("fails clearly when every read of the stream stops before its end line", async () => {
    let snapshotRequests = 0;
    const server: Server = createServer((req, res) => {
      if (req.url === "/.well-known/openid-configuration") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            token_endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`,
          }),
        );
        return;
      }
      if (req.url === "/oauth2/token") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: 3600 }));
        return;
      }
      if (req.url === "/api/v2/snapshot") {
        snapshotRequests += 1;
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.end(`${HEADER}\n${ACTION}\n`);
        return;
      }
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ type: "urn:cxda:problem:not-found", title: "Not found", status: 404 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = createClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      auth,
    });
    try {
      expect(await client.snapshot.available()).toBe(false);
      await expect(client.snapshot.read()).rejects.toThrow(
        /snapshot is incomplete: it stops after 2 lines without its end line/,
      );
      expect(snapshotRequests).toBe(3);
    } finally {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
