// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:…} placeholders are CLI input, not template literals
/** `cxda headers …` end to end: the built CLI against an in-process emulator (issue 5). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../../src/demo/webhook-receiver.js";
import { type Body, type Emulator, UNTHROTTLED, useTestEmulator } from "../emulator/helpers.js";
import { type CliResult, json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
useTestEmulator(
  UNTHROTTLED,
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

let counter = 0;
/** A fresh HTTP action with the given headers; returns its name and a runner bound to a scratch dir. */
async function freshAction(headers: Record<string, string> = {}) {
  const name = `crm_lookup_${++counter}`;
  const dir = scratchDir();
  const cxda = (args: string[], env: Record<string, string> = {}) =>
    runCxda([...args, "--base-url", emulator.url], { cwd: dir, env });
  const { createClient } = await import("../../src/client/client.js");
  const client = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
  });
  await client.actions.create({
    name,
    type: "HTTP",
    config: { request: { method: "GET", urlTemplate: "https://crm.example.com/contacts/{id}" }, headers },
  });
  await client.close();
  return { name, dir, cxda };
}

const stdoutJson = (r: CliResult): Body => json(r);

describe("cxda headers get", () => {
  it("prints a table with credential-like values masked unless --show-values", async () => {
    const { name, cxda } = await freshAction({
      "X-Source": "cxda",
      Authorization: "Bearer sk-live-abcdef123456",
    });
    const table = await cxda(["headers", "get", name]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/NAME\s+VALUE\s+BYTES/);
    expect(table.stdout).toMatch(/X-Source\s+cxda\s+14/);
    expect(table.stdout).toMatch(/Authorization\s+\*\*\*/);
    expect(table.stdout).not.toContain("sk-live-abcdef123456");
    expect(table.stderr).toContain("--show-values");

    const masked = stdoutJson(await cxda(["headers", "get", name, "--json"]));
    expect(masked.headers).toEqual([
      { name: "X-Source", value: "cxda", bytes: 14, masked: false },
      { name: "Authorization", value: "***", bytes: 13 + 27 + 2, masked: true },
    ]);
    expect(masked).toMatchObject({ schemaVersion: 1, count: 2, totalBytes: 14 + 42, limitBytes: 8192 });

    const shown = stdoutJson(await cxda(["headers", "get", name, "--show-values", "--json"]));
    expect(shown.headers[1]).toEqual({
      name: "Authorization",
      value: "Bearer sk-live-abcdef123456",
      bytes: 42,
      masked: false,
    });
  });

  it("--show-values prints the value the API returned, in aligned columns", async () => {
    const { name, cxda } = await freshAction({
      "X-Source": "cxda",
      Authorization: "Bearer sk-live-abcdef123456",
    });
    const r = await cxda(["headers", "get", name, "--show-values"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").slice(0, 3);
    expect(lines[2]).toMatch(/^Authorization {2}Bearer sk-live-abcdef123456 {2}42$/);
    // Every row's BYTES column starts where the header's does.
    const at = lines[0]!.indexOf("BYTES");
    for (const line of lines.slice(1)) expect(line.slice(at), line).toMatch(/^\d+$/);
  });

  it("exits 1 for an unknown action", async () => {
    const { cxda } = await freshAction();
    const r = await cxda(["headers", "get", "no_such_action"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no action has the id or name "no_such_action"/);
  });
});

describe("cxda headers set / unset / replace", () => {
  it("set adds and changes, splitting NAME=VALUE at the first '='", async () => {
    const { name, cxda } = await freshAction({ "X-Trace": "off" });
    const r = await cxda(["headers", "set", name, "X-Filter=a=b=c", "x-trace=on"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${name}: added X-Filter; changed x-trace`);
    expect(r.stdout).not.toContain("a=b=c");
    const got = stdoutJson(await cxda(["headers", "get", name, "--json"]));
    expect(got.headers).toEqual([
      { name: "x-trace", value: "on", bytes: 11, masked: false },
      { name: "X-Filter", value: "a=b=c", bytes: 15, masked: false },
    ]);
  });

  it("set --json reports names, byte totals, writes and conflicts", async () => {
    const { name, cxda } = await freshAction();
    const r = stdoutJson(await cxda(["headers", "set", name, "X-A=1", "--json"]));
    expect(r).toMatchObject({
      schemaVersion: 1,
      action: { name, version: 2 },
      unchanged: false,
      added: ["X-A"],
      changed: [],
      removed: [],
      count: 1,
      bytesBefore: 0,
      bytesAfter: 6,
      writes: 1,
      conflicts: 0,
    });
  });

  it("unset removes names in any case and says which were not there", async () => {
    const { name, cxda } = await freshAction({ "X-A": "1", "X-B": "2" });
    const r = await cxda(["headers", "unset", name, "x-a", "X-Nope"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("removed X-A");
    expect(r.stderr).toContain("not present (nothing to remove): X-Nope");
    const none = stdoutJson(await cxda(["headers", "unset", name, "X-Nope", "--json"]));
    expect(none).toMatchObject({ unchanged: true, writes: 0, absent: ["X-Nope"] });
  });

  it("replace -f makes the matrix exactly the file's map, with ${env:} values", async () => {
    const { name, dir, cxda } = await freshAction({ "X-Old": "o" });
    writeFileSync(join(dir, "headers.yaml"), "X-Source: cxda\nAuthorization: Bearer ${env:CRM_TOKEN}\n");
    const r = await cxda(["headers", "replace", name, "-f", "headers.yaml", "--json"], {
      CRM_TOKEN: "tok-from-env-998877",
    });
    expect(r.code).toBe(0);
    expect(stdoutJson(r)).toMatchObject({ added: ["Authorization", "X-Source"], removed: ["X-Old"] });
    expect(r.stdout + r.stderr).not.toContain("tok-from-env-998877");
    const shown = stdoutJson(await cxda(["headers", "get", name, "--show-values", "--json"]));
    expect(shown.headers.map((h: { name: string }) => h.name)).toEqual(["X-Source", "Authorization"]);
  });

  it("replace -f points rule problems at the file's line and column (exit 65), writing nothing", async () => {
    const { name, dir, cxda } = await freshAction({ "X-Keep": "k" });
    writeFileSync(join(dir, "bad.yaml"), "X-Ok: fine\nHost: evil.example.com\nX-Count: 5\n");
    const r = await cxda(["headers", "replace", name, "-f", "bad.yaml"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("bad.yaml:2:1: Header 'Host' is reserved");
    expect(r.stderr).toContain("bad.yaml:3:10: value of 'X-Count' must be a string, got a number");
    const syntax = await cxda(["headers", "replace", name, "-f", "bad.yaml", "--json"]);
    expect(stdoutJson(syntax)).toMatchObject({ error: { exitCode: 65 } });
    writeFileSync(join(dir, "broken.yaml"), "X-A: [1,\n X-B: c");
    const broken = await cxda(["headers", "replace", name, "-f", "broken.yaml"]);
    expect(broken.code).toBe(65);
    expect(broken.stderr).toMatch(/broken\.yaml:2:\d+: not valid YAML or JSON/);
    const got = stdoutJson(await cxda(["headers", "get", name, "--json"]));
    expect(got.action.version).toBe(1);
  });

  it("refuses the issue's bad input with exit 65 and writes nothing", async () => {
    const { name, dir, cxda } = await freshAction({ "X-Keep": "k" });
    const cases: [string[], RegExp][] = [
      [["Host=evil.example.com"], /Header 'Host' is reserved by the integration engine/],
      [["X-A=v\r\nX-Injected: 1"], /value of 'X-A' contains CR at position 2, LF at position 3/],
      [["X-Grüße=1"], /Header name 'X-Grüße' must match/],
      [["=novalue"], /Header name is empty/],
      [[`X-Big=${"a".repeat(100 * 1024)}`], /'X-Big' is 102\d\d\d bytes/],
    ];
    for (const [pairs, message] of cases) {
      const r = await cxda(["headers", "set", name, ...pairs]);
      expect(r.code, pairs[0]!.slice(0, 20)).toBe(65);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/nothing was written/);
    }
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`X-H${i}`, "v"]));
    writeFileSync(join(dir, "many.json"), JSON.stringify(many));
    const r = await cxda(["headers", "replace", name, "-f", "many.json"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/The 10000 headers add up to \d+ bytes/);
    const got = stdoutJson(await cxda(["headers", "get", name, "--json"]));
    expect(got.action.version).toBe(1);
    expect(got.headers).toEqual([{ name: "X-Keep", value: "k", bytes: 9, masked: false }]);
  });

  it("usage errors exit 64: a pair without '=', no pairs, names with a value, a name given twice", async () => {
    const { name, cxda } = await freshAction();
    for (const args of [
      ["headers", "set", name, "X-A"],
      ["headers", "set", name],
      ["headers", "unset", name, "X-A=1"],
      ["headers", "set", name, "X-A=1", "X-A=2"],
      ["headers", "replace", name],
    ]) {
      const r = await cxda(args);
      expect(r.code, args.join(" ")).toBe(64);
    }
    const r = await cxda(["headers", "set", name, "X-A"]);
    expect(r.stderr).toContain("'X-A' is not NAME=VALUE");
  });
});

describe("cxda headers validate (offline)", () => {
  it("accepts a valid set with exit 0 and refuses an invalid one with exit 65, with no server", async () => {
    const dir = scratchDir();
    const offline = (args: string[], env: Record<string, string> = {}) =>
      runCxda([...args, "--base-url", "http://127.0.0.1:9"], { cwd: dir, env });
    const ok = await offline(["headers", "validate", "X-Source=cxda", "X-Filter=a=b"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/2 headers valid \(\d+ of 8192 bytes\): X-Source, X-Filter/);
    const bad = await offline(["headers", "validate", "Host=x", "Te=y", "--json"]);
    expect(bad.code).toBe(65);
    const body = stdoutJson(bad);
    expect(body.error.issues.map((i: { path: string }) => i.path)).toEqual([
      "config.headers.Host",
      "config.headers.Te",
    ]);
    writeFileSync(join(dir, "h.yaml"), "Authorization: ${env:CRM_TOKEN}\n");
    const missing = await offline(["headers", "validate", "-f", "h.yaml"]);
    expect(missing.code).toBe(65);
    expect(missing.stderr).toMatch(/environment variable CRM_TOKEN is not set/);
    const withEnv = await offline(["headers", "validate", "-f", "h.yaml", "--json"], {
      CRM_TOKEN: "tok-1234567",
    });
    expect(stdoutJson(withEnv)).toMatchObject({ ok: true, names: ["Authorization"] });
    expect((await offline(["headers", "validate"])).code).toBe(64);
    expect((await offline(["headers", "validate", "X-A=1", "-f", "h.yaml"])).code).toBe(64);
  });
});

describe("no header value in the audit line, the event or --verbose output", () => {
  it("keeps every value out of stdout, stderr, the audit file and the webhook body", async () => {
    const { name, dir, cxda } = await freshAction({ "X-Old": "old-plain-value-31337" });
    const secret = "whsec_dGVzdC1zZWNyZXQtZm9yLWhlYWRlcnMtY2xp";
    const receiver: WebhookReceiver = await startWebhookReceiver(secret);
    try {
      const values = [
        "tok-env-5d1e9f0a7b",
        "sk-literal-77aa88bb99",
        "plain-unique-value-4242",
        "old-plain-value-31337",
      ];
      const audit = join(dir, "audit.jsonl");
      const common = [
        "--verbose",
        "--audit-log",
        audit,
        "--webhook-url",
        receiver.url,
        "--webhook-secret",
        secret,
      ];
      const set = await cxda(
        [
          "headers",
          "set",
          name,
          "Authorization=Bearer ${env:CRM_TOKEN}",
          `X-Api-Key=${values[1]}`,
          `X-Plain=${values[2]}`,
          ...common,
        ],
        { CRM_TOKEN: values[0]! },
      );
      expect(set.code, set.stderr).toBe(0);
      expect(set.stderr).toMatch(/→ PATCH \/api\/v2\/dataactions\//);
      const unset = await cxda(["headers", "unset", name, "X-Old", ...common]);
      expect(unset.code).toBe(0);
      const refusedRun = await cxda(["headers", "set", name, `Host=${values[2]}`, ...common]);
      expect(refusedRun.code).toBe(65);

      const auditText = readFileSync(audit, "utf8");
      const lines = auditText
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.operation, l.outcome])).toEqual([
        ["headers.set", "success"],
        ["headers.unset", "success"],
        ["headers.set", "failure"],
      ]);
      expect(lines[0].names.added).toEqual(["Authorization", "X-Api-Key", "X-Plain"]);
      expect(receiver.received.map((w) => [w.type, w.verified])).toEqual([
        ["headers.updated", true],
        ["headers.updated", true],
      ]);
      const everything = [set, unset, refusedRun].map((r) => r.stdout + r.stderr).join("\n") + auditText;
      const webhookBodies = receiver.received.map((w) => w.body).join("\n");
      for (const value of values) {
        expect(everything).not.toContain(value);
        expect(webhookBodies).not.toContain(value);
      }
    } finally {
      await receiver.close();
    }
  });
});
