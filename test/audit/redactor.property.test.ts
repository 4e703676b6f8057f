import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { AuditLog, readAuditLog } from "../../src/audit/audit-log.js";
import type { CxdaEvent } from "../../src/audit/events.js";
import { Redactor } from "../../src/audit/redactor.js";
import { WebhookSender } from "../../src/audit/webhooks.js";
import { isWordLike } from "../../src/domain/secret-masking.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxda-redact-prop-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Serialized sinks (JSON lines, webhook bodies) add quotes, braces and field names around values; a
// secret drawn from this alphabet with ≥ 12 characters cannot be formed by that structure by accident.
const SAFE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!*()$+/=@%&?#:; ";
// A secret of letters only is masked as a whole token (never inside a word, see isWordLike); the
// carriers below glue fillers to secrets, so the properties draw secrets with some other character.
const secretArb = fc
  .string({ unit: fc.constantFrom(...SAFE_CHARS), minLength: 12, maxLength: 40 })
  .filter((s) => !isWordLike(s));
// Any text at all (unicode, control characters) of at least 8 characters for the in-memory sinks.
const anySecretArb = fc
  .string({ unit: "grapheme", minLength: 8, maxLength: 30 })
  .filter((s) => !isWordLike(s));
const noise = fc.string({ maxLength: 12 });

/** Every place a secret can hide, built around the given secret. */
function carrier(secret: string, filler: string) {
  const url = new URL("https://api.example.test/x");
  url.pathname = `/a/${secret}`;
  url.searchParams.set("q", secret);
  url.hash = secret;
  const cause = new Error(`inner ${secret}`);
  const error = new Error(`request failed: ${filler}${secret}${filler}`, { cause });
  (error as Error & { detail?: unknown }).detail = { nested: [filler, secret] };
  const tree: Record<string, unknown> = {
    note: `${filler}${secret}${filler}`,
    nested: { deeper: [{ text: `prefix-${secret}` }, secret, { list: [[secret]] }] },
    url,
    urlText: `https://api.example.test/cb?next=${encodeURIComponent(secret)}&p=${secret}`,
    form: new URLSearchParams({ user: "u", note: secret }).toString(),
    basic: `Basic ${Buffer.from(`client:${secret}`).toString("base64")}`,
    base64: Buffer.from(secret).toString("base64"),
    headers: { "X-Custom": secret, Accept: `text/${secret}`, authorization: `Bearer ${secret}` },
    error,
    variables: [{ name: "V", value: secret, encrypted: true }],
  };
  tree.self = tree;
  return { tree, headers: { "X-Trace": `${filler}${secret}`, Cookie: `s=${secret}` } };
}

function expectNoSecret(output: string, secret: string) {
  expect(output).not.toContain(secret);
  expect(output).not.toContain(encodeURIComponent(secret));
  expect(output).not.toContain(Buffer.from(secret).toString("base64"));
}

function allStrings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  if (value instanceof URL) return [value.href];
  const out: string[] = [];
  if (value instanceof Error)
    out.push(value.message, value.name, String(value.stack), ...allStrings(value.cause, seen));
  for (const item of Object.values(value)) out.push(...allStrings(item, seen));
  return out;
}

describe("registered secrets never reach a sink", () => {
  it("in-memory sinks: redact, redactString and redactHeaders, for any text", () => {
    fc.assert(
      fc.property(fc.uniqueArray(anySecretArb, { minLength: 1, maxLength: 3 }), noise, (secrets, filler) => {
        const redactor = new Redactor();
        for (const s of secrets) redactor.register(s);
        for (const secret of secrets) {
          const { tree, headers } = carrier(secret, filler);
          for (const text of allStrings(redactor.redact(tree))) expect(text).not.toContain(secret);
          for (const text of allStrings(redactor.redactHeaders(headers))) expect(text).not.toContain(secret);
          expect(redactor.redactString(`${filler}${secret}${secret}${filler}`)).not.toContain(secret);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("serialized sinks: audit lines and webhook bodies", () => {
    let n = 0;
    fc.assert(
      fc.property(fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }), noise, (secrets, filler) => {
        const redactor = new Redactor();
        for (const s of secrets) redactor.register(s);
        const file = path.join(dir, `audit-${n++}.jsonl`);
        const log = new AuditLog(file, { redactor });
        const sender = new WebhookSender({
          url: "http://127.0.0.1:9/hook",
          secret: `whsec_${Buffer.alloc(32, 9).toString("base64")}`,
          redactor,
        });
        for (const secret of secrets) {
          const { tree, headers } = carrier(secret, filler);
          log.append({
            timestamp: "2024-05-01T12:00:00.000Z",
            actor: "cxda-demo",
            operation: "variables.set",
            target: { id: "a1", name: filler },
            outcome: "failure",
            error: `refused: ${secret}`,
            latencyMs: 1,
            details: { tree, headers },
          });
          const event = {
            type: "variables.updated",
            timestamp: "2024-05-01T12:00:00.000Z",
            data: {
              actionId: "a1",
              latencyMs: 1,
              scope: "action",
              names: [secret],
              count: 1,
              encryptedCount: 1,
              tree,
            },
          } as unknown as CxdaEvent;
          expectNoSecret(sender.bodyOf(event), secret);
        }
        const text = fs.readFileSync(file, "utf8");
        for (const secret of secrets) expectNoSecret(text, secret);
        const { records, problems } = readAuditLog(file);
        expect(problems).toEqual([]);
        expect(records).toHaveLength(secrets.length);
        for (const secret of secrets) for (const s of allStrings(records)) expect(s).not.toContain(secret);
      }),
      { numRuns: 100 },
    );
  });
});
