/**
 * Interoperability with the official Standard Webhooks library (npm `standardwebhooks`): every event
 * type cxda sends, produced by the real SDK workflows against the in-process emulator, verifies with
 * it; and cxda's `verifyWebhook` accepts what the library signs, non-ASCII bodies included.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/audit/events.js";
import { Redactor } from "../../src/audit/redactor.js";
import { verifyWebhook, WebhookSender } from "../../src/audit/webhooks.js";
import { createClient } from "../../src/index.js";
import { computePlan } from "../../src/project/plan.js";
import { readLiveState } from "../../src/project/read-live-state.js";
import { validateProject } from "../../src/project/validate-project.js";
import { type Emulator, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";

interface Delivery {
  type: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** What the official library said: "ok" or its error message. */
  library: string;
}

/** A receiver that verifies each delivery with the official library only. */
async function libraryReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const received: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let library = "ok";
      try {
        verifier.verify(body, req.headers as Record<string, string>);
      } catch (error) {
        library = (error as Error).message;
      }
      received.push({ type: String(JSON.parse(body).type), body, headers: req.headers, library });
      res.writeHead(library === "ok" ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

const SCRIPT = "function main(context) {\n  return context.input;\n}\n";

describe("standardwebhooks (official npm library) verifies what cxda sends", () => {
  for (const [label, secret] of [
    ["whsec_<base64>", `whsec_${randomBytes(32).toString("base64")}`],
    ["bare base64", randomBytes(24).toString("base64")],
  ] as const) {
    it(`every event type the SDK workflows emit, with a ${label} secret`, async () => {
      const receiver = await libraryReceiver(secret);
      const warnings: string[] = [];
      const cxda = createClient({
        baseUrl: emulator.url,
        auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
        webhook: { url: receiver.url, secret },
        onWarning: (message) => warnings.push(message),
      });
      try {
        const a = `hooks_${label.length}_a`;
        const b = `hooks_${label.length}_b`;
        await cxda.actions.add({
          name: a,
          type: "SCRIPT",
          script: { language: "JavaScript", content: SCRIPT },
        });
        await cxda.actions.add({
          name: b,
          type: "SCRIPT",
          script: { language: "JavaScript", content: SCRIPT },
        });
        await cxda.headers.set(a, { "X-Source": "cxda" });
        await cxda.variables.upsert(a, [
          { name: "API_KEY", type: "string", value: "clé-secrète-ü-0123456789", encrypted: true },
        ]);
        await cxda.overrides.apply(a, "dev", [
          { name: "API_KEY", value: "dev-clé-0123456789", masked: true },
        ]);
        await cxda.overrides.promote({ from: "dev", to: "staging", refs: [a] });
        await cxda.builds.trigger(a, "prod");
        await cxda.dateProcessing.apply(a, {
          sourceTimestamp: "2024-03-31T00:30:00Z",
          timezone: "Europe/Berlin",
          operation: "ADD_OFFSET",
          offsetMinutes: 90,
        });
        await cxda.keys.rotate();
        await cxda.variables.reencrypt(a);
        // action.updated comes from a declarative apply that changes an action's description.
        const desired = validateProject(
          `apiVersion: cxda/v1\nactions:\n  ${b}:\n    type: SCRIPT\n    description: Überarbeitet — café\n    script: {file: a.js}\n`,
          { readFile: () => SCRIPT, env: {} },
        ).project!;
        const plan = computePlan(desired, (await readLiveState(cxda.context.client)).live, { prune: false });
        const applied = await cxda.project.apply(desired, plan, { via: "per-resource" });
        expect(applied.ok).toBe(true);
        await cxda.actions.remove(b);

        expect(warnings).toEqual([]);
        // deployment.* come from a changeset apply and a rollback: from a server that has deployments.
        const deployments = await cxda.context.client.deployments.available();
        if (deployments) {
          const again = validateProject(
            `apiVersion: cxda/v1\nactions:\n  ${b}_c:\n    type: SCRIPT\n    script: {file: a.js}\n`,
            { readFile: () => SCRIPT, env: {} },
          ).project!;
          const changeset = await cxda.project.apply(
            again,
            computePlan(again, (await readLiveState(cxda.context.client)).live),
          );
          expect(changeset.deploymentId).toBeDefined();
          await cxda.deployments.rollback(changeset.deploymentId!);
        }
        expect(new Set(receiver.received.map((d) => d.type))).toEqual(
          new Set(EVENT_TYPES.filter((t) => deployments || !t.startsWith("deployment."))),
        );
        for (const delivery of receiver.received) {
          expect(delivery.library, delivery.type).toBe("ok");
          expect(verifyWebhook(secret, delivery.headers, delivery.body)).toEqual({ ok: true });
          expect(delivery.body).not.toContain("clé");
        }
      } finally {
        await cxda.close();
        await receiver.close();
      }
    }, 60_000);
  }

  it("a non-ASCII event body sent by WebhookSender verifies with the library", async () => {
    const secret = `whsec_${randomBytes(40).toString("base64")}`;
    const receiver = await libraryReceiver(secret);
    try {
      const sender = new WebhookSender({ url: receiver.url, secret, redactor: new Redactor() });
      const outcome = await sender.send({
        type: "action.updated",
        timestamp: new Date().toISOString(),
        data: { actionId: "a1", actionName: "réservation_東京_🚀", latencyMs: 1, fields: ["description"] },
      });
      expect(outcome.delivered).toBe(true);
      expect(receiver.received[0]!.library).toBe("ok");
      expect(receiver.received[0]!.body).toContain("réservation_東京_🚀");
    } finally {
      await receiver.close();
    }
  });
});

describe("cxda's verifyWebhook accepts what the official library signs", () => {
  const bodies = [
    '{"type":"action.created","data":{"actionId":"a1"}}',
    '{"type":"action.updated","data":{"actionName":"café crème"}}',
    '{"name":"東京","emoji":"🚀","nbsp":"a\u00a0b","combining":"e\u0301"}',
    "",
  ];
  for (const secret of [
    `whsec_${randomBytes(24).toString("base64")}`,
    randomBytes(64).toString("base64"),
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  ]) {
    it(`library-signed messages verify (secret ${secret.startsWith("whsec_") ? "whsec_" : "bare"}, ${secret.length} chars)`, () => {
      const library = new Webhook(secret);
      const now = new Date();
      for (const body of bodies) {
        const id = `msg_${randomBytes(8).toString("hex")}`;
        const headers = {
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
          "webhook-signature": library.sign(id, now, body),
        };
        expect(verifyWebhook(secret, headers, body), body).toEqual({ ok: true });
        expect(verifyWebhook(secret, headers, Buffer.from(body, "utf8")), body).toEqual({ ok: true });
        // One changed character must not verify.
        expect(verifyWebhook(secret, headers, `${body} `).ok).toBe(false);
      }
    });
  }
});
