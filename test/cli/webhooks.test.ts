import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startWebhookReceiver } from "../../src/demo/webhook-receiver.js";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
useTestEmulator(
  {},
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

function scriptFile(dir: string): string {
  const file = join(dir, "hook.js");
  writeFileSync(file, "function main(context) { return context.input; }\n");
  return file;
}

/** A bare base64 secret (no whsec_ prefix), decoded like the prefixed form. */
const BARE_SECRET = Buffer.from("bare-base64-webhook-key-0123456789").toString("base64");

const auditLines = (dir: string) =>
  readFileSync(join(dir, "cxda-audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("CLI webhooks", () => {
  it("sends a signed event for a mutating command and records the delivery in its audit line", async () => {
    const secret = `whsec_${Buffer.from("cli-webhook-test-secret-0123456789").toString("base64")}`;
    const receiver = await startWebhookReceiver(secret);
    try {
      const dir = scratchDir();
      const result = await runCxda(
        [
          "actions",
          "create",
          "--name",
          "hooked_action",
          "--script",
          scriptFile(dir),
          "--json",
          "--base-url",
          emulator.url,
        ],
        { cwd: dir, env: { CXDA_WEBHOOK_URL: receiver.url, CXDA_WEBHOOK_SECRET: secret } },
      );
      expect(result.code).toBe(0);
      expect(json(result).schemaVersion).toBe(1);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]).toMatchObject({ type: "action.created", verified: true });
      expect(receiver.received[0]!.body).not.toContain(secret);
      const [line] = auditLines(dir);
      expect(line).toMatchObject({
        operation: "actions.create",
        outcome: "success",
        webhook: { delivered: true },
      });
    } finally {
      await receiver.close();
    }
  });

  it("only warns when the receiver answers 500 or cannot be reached; the operation still succeeds", async () => {
    let hits = 0;
    const failing = createServer((_req, res) => {
      hits += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    const failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hook`;
    try {
      for (const [name, url] of [
        ["hook_500", failingUrl],
        ["hook_unreachable", "http://127.0.0.1:9/hook"],
      ] as const) {
        const dir = scratchDir();
        const result = await runCxda(
          ["actions", "create", "--name", name, "--script", scriptFile(dir), "--base-url", emulator.url],
          { cwd: dir, env: { CXDA_WEBHOOK_URL: url, CXDA_WEBHOOK_SECRET: BARE_SECRET } },
        );
        expect(result.code).toBe(0);
        expect(result.stderr).toMatch(/warning:.*webhook/i);
        expect(result.stderr).not.toContain(BARE_SECRET);
        const [line] = auditLines(dir);
        expect(line).toMatchObject({ outcome: "success", webhook: { delivered: false, attempts: 3 } });
      }
      expect(hits).toBe(3);
    } finally {
      failing.closeAllConnections();
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  }, 60_000);

  it("refuses a secret that is not base64 or decodes outside 24–64 bytes, naming where it came from", async () => {
    const dir = scratchDir();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--webhook-secret", "raw-webhook-secret-value"], {}, /--webhook-secret is not valid/],
      [[], { CXDA_WEBHOOK_SECRET: "raw-webhook-secret-value" }, /CXDA_WEBHOOK_SECRET is not valid/],
      [
        [],
        { CXDA_WEBHOOK_SECRET: `whsec_${Buffer.alloc(16, 7).toString("base64")}` },
        /CXDA_WEBHOOK_SECRET decodes to 16 bytes; a key must be 24–64 bytes/,
      ],
    ];
    for (const [flags, env, message] of cases) {
      const result = await runCxda(
        [
          "actions",
          "create",
          "--name",
          "hook_refused",
          "--script",
          scriptFile(dir),
          "--base-url",
          emulator.url,
          ...flags,
        ],
        { cwd: dir, env: { CXDA_WEBHOOK_URL: "http://127.0.0.1:9/hook", ...env } },
      );
      expect(result.code).toBe(65);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/whsec_<base64>/);
      expect(result.stderr).not.toContain("raw-webhook-secret-value");
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
