import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog, readAuditLog } from "../../src/audit/audit-log.js";
import type { CxdaEvent } from "../../src/audit/events.js";
import { OperationRecorder } from "../../src/audit/recorder.js";
import { Redactor } from "../../src/audit/redactor.js";
import { verifyWebhook, WebhookSender } from "../../src/audit/webhooks.js";

const SECRET = `whsec_${Buffer.from("recorder-webhook-secret-0123456789").toString("base64")}`;
let dir: string;
let server: http.Server | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxda-recorder-"));
});
afterEach(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
});

async function receiver(
  status: number,
): Promise<{ url: string; bodies: { headers: http.IncomingHttpHeaders; body: string }[] }> {
  const bodies: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      bodies.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, bodies };
}

const clock = () => new Date("2024-05-01T12:00:00.123Z");

describe("OperationRecorder", () => {
  it("sends the event to onEvent and the webhook, then writes one audit line with the delivery outcome", async () => {
    const { url, bodies } = await receiver(200);
    const redactor = new Redactor();
    const file = path.join(dir, "audit.jsonl");
    const events: CxdaEvent[] = [];
    const recorder = new OperationRecorder({
      actor: "cxda-demo",
      audit: new AuditLog(file, { redactor }),
      webhook: new WebhookSender({ url, secret: SECRET, redactor, sleep: async () => {} }),
      onEvent: (e) => {
        events.push(e);
      },
      redactor,
      clock,
    });
    const written = await recorder.record(
      {
        operation: "headers.set",
        target: { id: "a1", name: "lead_enrichment" },
        outcome: "success",
        status: 200,
        attempts: 1,
        latencyMs: 17,
        counts: { set: 2 },
        names: { set: ["X-A", "X-B"] },
      },
      {
        type: "headers.updated",
        data: {
          actionId: "a1",
          actionName: "lead_enrichment",
          latencyMs: 17,
          set: ["X-A", "X-B"],
          removed: [],
          headerCount: 2,
        },
      },
    );
    expect(written).toMatchObject({
      timestamp: "2024-05-01T12:00:00.123Z",
      actor: "cxda-demo",
      operation: "headers.set",
      webhook: { delivered: true, attempts: 1, status: 200 },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "headers.updated", timestamp: "2024-05-01T12:00:00.123Z" });
    expect(bodies).toHaveLength(1);
    expect(verifyWebhook(SECRET, bodies[0]!.headers, bodies[0]!.body)).toEqual({ ok: true });
    const { records, problems } = readAuditLog(file);
    expect(problems).toEqual([]);
    expect(records).toEqual([written]);
  });

  it("records a failed delivery and a failing hook as warnings, never failing the operation", async () => {
    const { url } = await receiver(503);
    const redactor = new Redactor();
    const file = path.join(dir, "audit.jsonl");
    const warnings: string[] = [];
    const recorder = new OperationRecorder({
      actor: "cxda-demo",
      audit: new AuditLog(file, { redactor }),
      webhook: new WebhookSender({ url, secret: SECRET, redactor, sleep: async () => {} }),
      onEvent: () => {
        throw new Error(`hook broke with ${SECRET}`);
      },
      redactor,
      clock,
      onWarning: (m) => warnings.push(m),
    });
    const written = await recorder.record(
      {
        operation: "builds.trigger",
        target: { id: "a1" },
        environment: "dev",
        outcome: "success",
        latencyMs: 5,
      },
      {
        type: "build.triggered",
        data: { actionId: "a1", latencyMs: 5, environmentId: "dev", buildId: "b1", status: "QUEUED" },
      },
    );
    expect(written.webhook).toMatchObject({ delivered: false, attempts: 3, status: 503 });
    expect(written.details).toEqual({ onEventError: "Error: hook broke with ***" });
    expect(warnings).toHaveLength(2);
    expect(warnings.join("\n")).not.toContain(SECRET);
    expect(readAuditLog(file).records).toHaveLength(1);
  });

  it("sends no event for a failed operation and marks the webhook skipped", async () => {
    const { url, bodies } = await receiver(200);
    const file = path.join(dir, "audit.jsonl");
    const events: CxdaEvent[] = [];
    const redactor = new Redactor();
    const recorder = new OperationRecorder({
      actor: "cxda-demo",
      audit: new AuditLog(file, { redactor }),
      webhook: new WebhookSender({ url, secret: SECRET, redactor }),
      onEvent: (e) => {
        events.push(e);
      },
      redactor,
      clock,
    });
    const written = await recorder.record(
      {
        operation: "actions.create",
        target: { name: "dup" },
        outcome: "failure",
        status: 409,
        problem: "name-conflict",
        error: "an action named dup exists",
        latencyMs: 3,
      },
      { type: "action.created", data: { actionId: "?", latencyMs: 3 } },
    );
    expect(written.webhook).toEqual({ skipped: true });
    expect(events).toEqual([]);
    expect(bodies).toEqual([]);
    expect(readAuditLog(file).records).toEqual([written]);
  });

  it("keeps going when the audit file cannot be written", async () => {
    const warnings: string[] = [];
    const recorder = new OperationRecorder({
      actor: "cxda-demo",
      audit: new AuditLog(path.join(dir, "missing-dir", "audit.jsonl")),
      clock,
      onWarning: (m) => warnings.push(m),
    });
    const written = await recorder.record({ operation: "variables.set", outcome: "success", latencyMs: 1 });
    expect(written.operation).toBe("variables.set");
    expect(written.webhook).toBeUndefined();
    expect(warnings[0]).toMatch(/could not be written/);
  });
});
