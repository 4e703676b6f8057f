/** A local receiver for the demo and tests: verifies every delivery's Standard Webhooks signature. */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "../audit/webhooks.js";

export interface ReceivedWebhook {
  type: string;
  verified: boolean;
  reason?: string;
  body: string;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const check = verifyWebhook(secret, req.headers as Record<string, string>, body, {
        toleranceSeconds: 300,
      });
      let type = "?";
      try {
        type = String((JSON.parse(body) as { type?: unknown }).type);
      } catch {
        // an unparsable body is recorded as unverified below
      }
      received.push({
        type,
        verified: check.ok,
        ...(check.ok ? {} : { reason: check.reason }),
        body,
        headers: req.headers,
      });
      res.writeHead(check.ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/cxda`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
