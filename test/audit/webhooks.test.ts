import { createHmac } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { CxdaEvent } from "../../src/audit/events.js";
import { Redactor } from "../../src/audit/redactor.js";
import {
  parseWebhookSecret,
  signWebhook,
  verifyWebhook,
  WebhookSender,
  webhookKey,
} from "../../src/audit/webhooks.js";
import { ValidationError } from "../../src/errors.js";

const RAW_KEY = Buffer.from("0123456789abcdef0123456789abcdef", "utf8");
const SECRET = `whsec_${RAW_KEY.toString("base64")}`;

/** Independent computation straight from the Standard Webhooks scheme. */
function expectedSignature(key: Buffer, id: string, ts: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64")}`;
}

describe("signWebhook", () => {
  it("matches an independent HMAC-SHA256 over id.timestamp.body for whsec_ and bare base64 secrets", () => {
    const body = '{"type":"action.created","data":{"n":1}}';
    expect(signWebhook(SECRET, "msg_1", 1700000000, body)).toBe(
      expectedSignature(RAW_KEY, "msg_1", 1700000000, body),
    );
    // Bare base64 is decoded too (as both official verifiers do), never used as UTF-8 text.
    expect(signWebhook(RAW_KEY.toString("base64"), "msg_2", 1, body)).toBe(
      expectedSignature(RAW_KEY, "msg_2", 1, body),
    );
    expect(webhookKey(SECRET)?.equals(RAW_KEY)).toBe(true);
    expect(() => signWebhook("raw-secret-text", "msg_3", 1, body)).toThrow(/whsec_<base64>/);
  });

  it("reproduces the published Standard Webhooks example vector", () => {
    expect(
      signWebhook(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });
});

describe("verifyWebhook", () => {
  const body = '{"type":"headers.updated"}';
  const ts = 1_700_000_000;
  const now = ts * 1000;
  const headers = (signature: string, timestamp = String(ts)) => ({
    "Webhook-Id": "msg_abc",
    "WEBHOOK-TIMESTAMP": timestamp,
    "webhook-signature": signature,
  });
  const good = signWebhook(SECRET, "msg_abc", ts, body);

  it("accepts a valid signature, with case-insensitive names and among several signatures", () => {
    expect(verifyWebhook(SECRET, headers(good), body, { now })).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, headers(`v1,bm9wZQ== v2,xyz ${good}`), body, { now })).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, new Headers(headers(good)), Buffer.from(body), { now })).toEqual({
      ok: true,
    });
  });

  it("rejects a tampered body, a wrong secret and a timestamp outside the tolerance", () => {
    expect(verifyWebhook(SECRET, headers(good), `${body} `, { now }).ok).toBe(false);
    expect(verifyWebhook("whsec_d3Jvbmcta2V5LXdyb25nLWtleQ==", headers(good), body, { now }).ok).toBe(false);
    const old = verifyWebhook(SECRET, headers(good), body, { now: now + 301_000 });
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.reason).toMatch(/tolerance 300 s/);
    expect(verifyWebhook(SECRET, headers(good), body, { now: now + 301_000, toleranceSeconds: 600 }).ok).toBe(
      true,
    );
    expect(verifyWebhook(SECRET, headers(good), body, { now: now - 301_000 }).ok).toBe(false);
  });

  it("explains missing or malformed headers without throwing", () => {
    expect(verifyWebhook(SECRET, {}, body, { now })).toEqual({
      ok: false,
      reason: "missing webhook-id header",
    });
    const bad = verifyWebhook(SECRET, headers(good, "abc"), body, { now });
    expect(bad.ok).toBe(false);
    expect(verifyWebhook(SECRET, headers("garbage"), body, { now }).ok).toBe(false);
  });
});

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  servers = [];
});

/** A receiver on 127.0.0.1:0 answering each request with the next status (null = never answer). */
async function receiver(statuses: (number | null)[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      if (status === null || status === undefined) return; // hang
      res.writeHead(status, { "content-type": "text/plain" }).end("ok");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook?token=query-secret-value`, received };
}

const event: CxdaEvent = {
  type: "action.created",
  timestamp: "2024-05-01T12:00:00.000Z",
  data: { actionId: "a1", actionName: "lead_enrichment", latencyMs: 42, testStatus: "SUCCESS" },
};

function sender(url: string, extra: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}) {
  const sleeps: number[] = [];
  const s = new WebhookSender({
    url,
    secret: SECRET,
    redactor: new Redactor(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { s, sleeps };
}

describe("WebhookSender", () => {
  it("delivers a signed event that verifyWebhook accepts", async () => {
    const { url, received } = await receiver([204]);
    const { s } = sender(url);
    const outcome = await s.send(event);
    expect(outcome).toMatchObject({ delivered: true, attempts: 1, status: 204 });
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["webhook-id"]).toMatch(/^msg_/);
    expect(JSON.parse(got.body)).toEqual({ type: event.type, timestamp: event.timestamp, data: event.data });
    expect(verifyWebhook(SECRET, got.headers, got.body)).toEqual({ ok: true });
  });

  it("retries after a 500 and then succeeds, keeping the same webhook-id", async () => {
    const { url, received } = await receiver([500, 200]);
    const { s, sleeps } = sender(url);
    const outcome = await s.send(event);
    expect(outcome).toMatchObject({ delivered: true, attempts: 2, status: 200 });
    expect(received).toHaveLength(2);
    expect(received[0]!.headers["webhook-id"]).toBe(received[1]!.headers["webhook-id"]);
    expect(sleeps).toEqual([375]);
  });

  it("does not retry a 4xx", async () => {
    const { url, received } = await receiver([400, 200]);
    const { s, sleeps } = sender(url);
    const outcome = await s.send(event);
    expect(outcome).toMatchObject({ delivered: false, attempts: 1, status: 400 });
    expect(outcome.error).toMatch(/HTTP 400/);
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("gives up on a receiver that never answers after maxAttempts timeouts, within its budget", async () => {
    const { url, received } = await receiver([null]);
    const { s, sleeps } = sender(url, { timeoutMs: 150 });
    const outcome = await s.send(event);
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts).toBe(3);
    expect(outcome.error).toMatch(/timed out after 150 ms/);
    expect(outcome.error).not.toContain("query-secret-value");
    expect(received).toHaveLength(3);
    expect(sleeps).toEqual([375, 750]);
    expect(s.maxDurationMs).toBe(3 * 150 + 500 + 1000);
    expect(new WebhookSender({ url, secret: SECRET }).maxDurationMs).toBe(16_500);
  });

  it("reports an unreachable receiver as a network error without the URL query or secret", async () => {
    const { url } = await receiver([200]);
    const server = servers.pop()!;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { s } = sender(url);
    const outcome = await s.send(event);
    expect(outcome).toMatchObject({ delivered: false, attempts: 3 });
    expect(outcome.error).toMatch(/network error/);
    expect(outcome.error).toContain("http://127.0.0.1:");
    expect(outcome.error).not.toContain("query-secret-value");
    expect(outcome.error).not.toContain(SECRET);
  });

  it("rejects an invalid URL or empty secret at construction", () => {
    expect(() => new WebhookSender({ url: "not a url", secret: SECRET })).toThrow(/not a valid absolute URL/);
    expect(() => new WebhookSender({ url: "ftp://x/y", secret: SECRET })).toThrow(/http or https/);
    expect(() => new WebhookSender({ url: "http://127.0.0.1:1/", secret: "" })).toThrow(
      /webhook secret is empty/,
    );
  });
});

describe("parseWebhookSecret", () => {
  it("decodes whsec_<base64> and bare base64 to the same key", () => {
    expect(parseWebhookSecret(SECRET).equals(RAW_KEY)).toBe(true);
    expect(parseWebhookSecret(RAW_KEY.toString("base64")).equals(RAW_KEY)).toBe(true);
    for (const size of [24, 64]) {
      const key = Buffer.alloc(size, 1);
      expect(parseWebhookSecret(`whsec_${key.toString("base64")}`).equals(key)).toBe(true);
    }
  });

  it("refuses text that is not base64, keys outside 24–64 bytes and empty secrets, naming the field", () => {
    const cases: [string, RegExp][] = [
      ["raw-secret-text", /--webhook-secret is not valid: it must be whsec_<base64> or bare base64/],
      ["whsec_not base64!", /--webhook-secret is not valid/],
      ["whsec_QUJD", /--webhook-secret decodes to 3 bytes; a key must be 24–64 bytes/],
      [Buffer.alloc(23, 2).toString("base64"), /decodes to 23 bytes/],
      [`whsec_${Buffer.alloc(65, 2).toString("base64")}`, /decodes to 65 bytes/],
      ["whsec_QUJDRA", /--webhook-secret is not valid/], // base64 without its padding
      ["", /--webhook-secret is empty/],
      ["whsec_", /--webhook-secret is empty/],
    ];
    for (const [secret, message] of cases) {
      let thrown: unknown;
      try {
        parseWebhookSecret(secret, "--webhook-secret");
      } catch (error) {
        thrown = error;
      }
      expect(thrown, secret).toBeInstanceOf(ValidationError);
      expect((thrown as Error).message).toMatch(message);
      if (secret.length > 6) expect((thrown as Error).message).not.toContain(secret);
    }
  });

  it("is what WebhookSender checks, naming the field it was given", () => {
    expect(
      () => new WebhookSender({ url: "http://127.0.0.1:1/", secret: "short", secretField: "webhook.secret" }),
    ).toThrow(/webhook\.secret is not valid/);
  });

  it("verifyWebhook answers a reason for a secret that is not base64, without throwing", () => {
    const result = verifyWebhook(
      "raw-secret-text",
      { "webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "v1,x" },
      "{}",
      { now: 1000 },
    );
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/secret is not valid/) });
  });
});
