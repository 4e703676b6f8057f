/**
 * The round-robin proxy of `cxda emulator proxy`: turns, Host kept, a refusing replica skipped (the
 * request goes to the next one), and 502 with Retry-After when a replica dies after taking a request.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fetch } from "undici";
import { describe, expect, it } from "vitest";
import { startRoundRobinProxy } from "../../../src/emulator/replicas/round-robin-proxy.js";
import { startTestEmulator } from "../helpers.js";

async function replicaOf(url: string): Promise<string> {
  const body = (await (await fetch(`${url}/healthz`)).json()) as { replica: string };
  return body.replica;
}

describe("round-robin proxy", () => {
  it("sends requests to each replica in turn and skips one that refuses connections", async () => {
    const a = await startTestEmulator({ replicaId: "a" });
    const b = await startTestEmulator({ replicaId: "b" });
    const proxy = await startRoundRobinProxy({ replicas: [a.url, b.url], port: 0 });
    try {
      const seen = [];
      for (let i = 0; i < 4; i += 1) seen.push(await replicaOf(proxy.url));
      expect(seen).toEqual(["a", "b", "a", "b"]);
      // OAuth discovery names the proxy (the Host header is passed on), not the replica.
      const discovery = (await (
        await fetch(`${proxy.url}/.well-known/oauth-authorization-server`)
      ).json()) as {
        token_endpoint: string;
      };
      expect(discovery.token_endpoint).toBe(`${proxy.url}/oauth2/token`);
      await b.close();
      const after = [];
      for (let i = 0; i < 4; i += 1) after.push(await replicaOf(proxy.url));
      expect(after).toEqual(["a", "a", "a", "a"]);
      // A body is passed on whole, to the replica that takes it.
      const token = await fetch(`${proxy.url}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=cxda-demo&client_secret=cxda-demo-secret",
      });
      expect(token.status).toBe(200);
    } finally {
      await proxy.close();
      await a.close();
      await b.close();
    }
  });

  it("answers 502 with Retry-After when the replica dies after the request was sent", async () => {
    const dying = http.createServer((request) => request.socket.destroy());
    await new Promise<void>((done) => dying.listen(0, "127.0.0.1", () => done()));
    const port = (dying.address() as AddressInfo).port;
    const proxy = await startRoundRobinProxy({ replicas: [`http://127.0.0.1:${port}`], port: 0 });
    try {
      const answer = await fetch(`${proxy.url}/api/v2/dataactions`, { method: "POST", body: "{}" });
      expect(answer.status).toBe(502);
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(((await answer.json()) as { detail: string }).detail).toMatch(
        /may or may not have been applied/,
      );
    } finally {
      await proxy.close();
      dying.close();
    }
  });
});
