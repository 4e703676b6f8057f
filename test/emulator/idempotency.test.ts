import { fetch } from "undici";
import { describe, expect, it } from "vitest";
import {
  api,
  type Emulator,
  getToken,
  scriptAction,
  slug,
  startTestEmulator,
  UNTHROTTLED,
  useTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(UNTHROTTLED, (running) => {
  ({ emulator, token } = running);
});

const create = (body: unknown, key: string, headers: Record<string, string> = {}) =>
  api(emulator, "POST", "/api/v2/dataactions", {
    token,
    body,
    headers: { "idempotency-key": key, ...headers },
  });

async function countNamed(name: string): Promise<number> {
  const res = await api(emulator, "GET", `/api/v2/dataactions?name=${name}`, { token });
  return res.body.total;
}

describe("Idempotency-Key", () => {
  it("replays the stored response with Idempotent-Replayed: true", async () => {
    const first = await create(scriptAction("idem_one"), "key-1");
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await create(scriptAction("idem_one"), "key-1");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(again.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    expect(await countNamed("idem_one")).toBe(1);
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as {
      idempotencyKey: string | null;
      replayed?: boolean;
    }[];
    expect(log.filter((e) => e.idempotencyKey === "key-1").map((e) => e.replayed ?? false)).toEqual([
      false,
      true,
    ]);
  });

  it("treats the same JSON with another key order as the same body", async () => {
    await create({ type: "SCRIPT", ...scriptAction("idem_order") }, "key-order");
    const again = await create(scriptAction("idem_order"), "key-order");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays a 4xx answer too (decided: 2xx and 4xx are stored, 5xx are not)", async () => {
    const bad = await create({ name: "x" }, "key-bad");
    expect(bad.status).toBe(400);
    const again = await create({ name: "x" }, "key-bad");
    expect(again.status).toBe(400);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.errors).toEqual(bad.body.errors);
  });

  it("answers 422 idempotency-key-reuse for the same key with another body", async () => {
    await create(scriptAction("idem_first"), "key-2");
    const reuse = await create(scriptAction("idem_second"), "key-2");
    expect(reuse.status).toBe(422);
    expect(slug(reuse)).toBe("idempotency-key-reuse");
    expect(await countNamed("idem_second")).toBe(0);
  });

  it("answers 409 idempotency-key-in-use while the first request is still running", async () => {
    const slow = create(scriptAction("idem_slow"), "key-3", { "x-emulator-fault": "delay=400" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const meanwhile = await create(scriptAction("idem_slow"), "key-3");
    expect(meanwhile.status).toBe(409);
    expect(slug(meanwhile)).toBe("idempotency-key-in-use");
    const first = await slow;
    expect(first.status).toBe(201);
    const after = await create(scriptAction("idem_slow"), "key-3");
    expect(after.headers.get("idempotent-replayed")).toBe("true");
    expect(await countNamed("idem_slow")).toBe(1);
  });

  it("a drop commits first: the retry with the same key is replayed and leaves exactly one action", async () => {
    const body = JSON.stringify(scriptAction("idem_dropped"));
    const headers = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "idempotency-key": "key-drop",
    };
    await expect(
      fetch(`${emulator.url}/api/v2/dataactions`, {
        method: "POST",
        headers: { ...headers, "x-emulator-fault": "drop" },
        body,
      }),
    ).rejects.toThrow();
    const retry = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: body,
      headers: { "idempotency-key": "key-drop" },
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await countNamed("idem_dropped")).toBe(1);
    const log = await api(emulator, "GET", "/_emulator/requests");
    const posts = log.body.requests.filter(
      (r: { path: string; method: string }) => r.method === "POST" && r.path === "/api/v2/dataactions",
    );
    expect(posts.map((r: { status: number; faulted: boolean }) => [r.status, r.faulted])).toEqual([
      [201, true],
      [201, false],
    ]);
    expect(posts[0].idempotencyKey).toBe("key-drop");
  });

  it("refuses a malformed key with 400", async () => {
    for (const key of ["", "has space", "x".repeat(256), "é"]) {
      const res = await api(emulator, "POST", "/api/v2/dataactions", {
        token,
        body: scriptAction("idem_badkey"),
        headers: { "idempotency-key": key },
      });
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(res.body.errors[0].path).toBe("Idempotency-Key");
    }
    expect(await countNamed("idem_badkey")).toBe(0);
  });

  it("keeps keys per tenant (another tenant's key does not replay)", async () => {
    const two = await startTestEmulator({
      config: {
        tenants: [
          { id: "t1", clients: [{ id: "c1", secret: "s1" }] },
          { id: "t2", clients: [{ id: "c2", secret: "s2" }] },
        ],
      },
    });
    try {
      const t1 = await getToken(two, { id: "c1", secret: "s1" });
      const t2 = await getToken(two, { id: "c2", secret: "s2" });
      const body = scriptAction("shared_key");
      const a = await api(two, "POST", "/api/v2/dataactions", {
        token: t1,
        body,
        headers: { "idempotency-key": "k" },
      });
      const b = await api(two, "POST", "/api/v2/dataactions", {
        token: t2,
        body,
        headers: { "idempotency-key": "k" },
      });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.headers.get("idempotent-replayed")).toBeNull();
      expect(b.body.id).not.toBe(a.body.id);
    } finally {
      await two.close();
    }
  });
});
