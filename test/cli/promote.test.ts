// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:…} placeholders are CLI input, not template literals
/** `cxda promote` end to end: the built CLI against an in-process emulator, over real HTTP. */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { api, type Emulator, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { CLI, json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

const SECRET = "cli-promote-secret-0042";
let counter = 0;

async function seeded() {
  const name = `cli_promo_${++counter}`;
  const dir = scratchDir();
  const cxda = (args: string[], env: Record<string, string> = {}) =>
    runCxda([...args, "--base-url", emulator.url], { cwd: dir, env });
  const client = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
  });
  const action = (
    await client.actions.create({
      name,
      type: "SCRIPT",
      script: { language: "JavaScript", content: "function main(context) { return 1; }" },
    })
  ).body;
  await client.overrides.replace(
    action.id,
    "staging",
    {
      variables: [
        { name: "REGION", value: "eu-west-1" },
        { name: "API_KEY", value: SECRET, masked: true },
      ],
    },
    { version: 1 },
  );
  await client.overrides.replace(
    action.id,
    "prod",
    {
      variables: [
        { name: "REGION", value: "us-east-1" },
        { name: "PROD_ONLY", value: "stay" },
      ],
    },
    { version: 1 },
  );
  await client.close();
  return { name, id: action.id, dir, cxda };
}

async function writesSince(from: number): Promise<{ method: string; path: string }[]> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  const entries = (log.body.requests ?? log.body) as { method: string; path: string }[];
  return entries.slice(from).filter((e) => e.method !== "GET" && !e.path.startsWith("/oauth2"));
}

async function requestCount(): Promise<number> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  return ((log.body.requests ?? log.body) as unknown[]).length;
}

describe("cxda promote", () => {
  it("shows the plan like cxda plan, promotes masked values unseen, and leaves no drift", async () => {
    const { name, cxda, dir } = await seeded();
    const res = await cxda(["promote", name, "--from", "staging", "--to", "prod", "--auto-approve"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`~ ${name} promote overrides into prod  (from staging)`);
    expect(res.stdout).toContain("+ API_KEY: *** (masked, compared by fingerprint)");
    expect(res.stdout).toContain('~ REGION: "us-east-1" → "eu-west-1"');
    expect(res.stdout).toContain("= PROD_ONLY: kept, only in prod (add --prune to remove it)");
    expect(res.stdout).toContain("Plan: 2 to promote (1 new, 1 changed), 0 to remove, in 1 of 1 action.");
    expect(res.stdout).toContain(`✓ ${name}: promoted API_KEY, REGION into prod`);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
    const drift = await cxda(["drift", name, "--baseline", "staging", "--target", "prod", "--json"]);
    expect(json(drift).summary).toMatchObject({ value_mismatch: 0, masked_mismatch: 0, only_in_baseline: 0 });
    const audit = readFileSync(join(dir, "cxda-audit.jsonl"), "utf8");
    expect(audit).toContain('"operation":"overrides.promote"');
    expect(audit).not.toContain(SECRET);
  });

  it("--dry-run sends nothing (the request log shows no write) and --detailed-exitcode says there are changes", async () => {
    const { name, cxda } = await seeded();
    const before = await requestCount();
    const res = await cxda([
      "promote",
      name,
      "--from",
      "staging",
      "--to",
      "prod",
      "--dry-run",
      "--detailed-exitcode",
    ]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain("--dry-run: nothing was sent.");
    expect(await writesSince(before)).toEqual([]);
  });

  it("--only narrows, --prune removes, --json gives the plan and what was applied", async () => {
    const { name, cxda } = await seeded();
    const res = await cxda([
      "promote",
      name,
      "--from",
      "staging",
      "--to",
      "prod",
      "--only",
      "API_KEY",
      "--prune",
      "--auto-approve",
      "--json",
    ]);
    expect(res.code, res.stderr).toBe(0);
    const body = json(res) as { applied: { promoted: string[]; removed: string[] }[]; count: number };
    expect(body.applied.map((a) => [a.promoted, a.removed])).toEqual([[["API_KEY"], []]]);
    expect(body.count).toBe(1);
    const pruned = await cxda([
      "promote",
      name,
      "--from",
      "staging",
      "--to",
      "prod",
      "--prune",
      "--auto-approve",
      "--json",
    ]);
    expect((json(pruned) as { applied: { removed: string[] }[] }).applied[0]!.removed).toEqual(["PROD_ONLY"]);
  });

  it.each<[string, string[], number, RegExp]>([
    ["an --only name the source lacks", ["--only", "NOPE"], 65, /NOPE \(in --only\) is not an override of/],
    ["an unknown flag", ["--allow-nothing"], 64, /unknown option/],
  ])("refuses %s", async (_what, extra, code, message) => {
    const { name, cxda } = await seeded();
    const res = await cxda([
      "promote",
      name,
      "--from",
      "staging",
      "--to",
      "prod",
      ...extra,
      "--auto-approve",
    ]);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(message);
  });

  it("needs --allow-downward to promote prod into dev", async () => {
    const { name, cxda } = await seeded();
    const res = await cxda(["promote", name, "--from", "prod", "--to", "dev", "--auto-approve"]);
    expect(res.code).toBe(65);
    expect(res.stderr).toMatch(/needs --allow-downward/);
    const allowed = await cxda([
      "promote",
      name,
      "--from",
      "prod",
      "--to",
      "dev",
      "--allow-downward",
      "--auto-approve",
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it("needs action names or --all, and --auto-approve without a terminal", async () => {
    const { name, cxda } = await seeded();
    const none = await cxda(["promote", "--from", "staging", "--to", "prod"]);
    expect(none.stderr).not.toContain("REF");
    expect([none.code, none.stderr]).toEqual([64, expect.stringMatching(/or give --all/)]);
    const asks = await cxda(["promote", name, "--from", "staging", "--to", "prod"]);
    expect(asks.code).toBe(64);
    expect(asks.stderr).toMatch(/stdin is not a terminal: use --auto-approve/);
  });

  it("asks on a terminal (a real pseudo-terminal), and only 'yes' promotes", async () => {
    const { name, dir } = await seeded();
    const line = `node ${CLI} promote ${name} --from staging --to prod --base-url ${emulator.url}`;
    // Asynchronous: the emulator answering the CLI runs in this process.
    const run = (answer: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn("script", ["-qfec", line, "/dev/null"], {
          cwd: dir,
          env: { ...process.env, NO_COLOR: "1", XDG_CONFIG_HOME: join(dir, ".config") },
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.on("close", (code) => resolve({ code, out }));
        child.stdin.end(`${answer}\n`);
      });
    const no = await run("no");
    expect(no.code).toBe(1);
    expect(no.out).toContain("Promotion cancelled; nothing was changed.");
    const yes = await run("yes");
    expect(yes.code).toBe(0);
    expect(yes.out).toContain("Promote these overrides? (yes/no)");
    expect(yes.out).toContain(`✓ ${name}: promoted API_KEY, REGION into prod`);
  });

  it("never promotes an override marked promote: false in the project file, and says so", async () => {
    const { name, cxda, dir } = await seeded();
    writeFileSync(
      join(dir, "cxda.yaml"),
      `apiVersion: cxda/v1\nactions:\n  ${name}:\n    type: SCRIPT\n    overrides:\n      prod:\n        - {name: REGION, value: us-east-1, promote: false}\n`,
    );
    const res = await cxda(["promote", name, "--from", "staging", "--to", "prod", "--auto-approve"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("= REGION: not promoted, marked promote: false (environment-specific)");
    expect(res.stdout).toContain(`✓ ${name}: promoted API_KEY into prod`);
  });

  it("--write promotes inside the project file (comments and placeholders kept), and cxda plan shows exactly that", async () => {
    const dir = scratchDir();
    const action = `promo_file_${++counter}`;
    const cxda = (args: string[]) =>
      runCxda([...args, "--base-url", emulator.url], { cwd: dir, env: { PROMO_KEY: SECRET } });
    writeFileSync(join(dir, "a.js"), "function main(context) { return 1; }\n");
    writeFileSync(
      join(dir, "cxda.yaml"),
      `apiVersion: cxda/v1
actions:
  ${action}:
    type: SCRIPT
    script: {file: a.js}
    overrides:
      staging:
        # staging values
        - {name: REGION, value: eu-west-1}
        - {name: API_KEY, value: "\${env:PROMO_KEY}", masked: true}
      prod:
        - {name: REGION, value: us-east-1} # the prod region
`,
    );
    const applied = await cxda(["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    const written = await cxda(["promote", action, "--from", "staging", "--to", "prod", "--write"]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain(`~ ${action}: prod gets REGION, API_KEY from staging`);
    const text = readFileSync(join(dir, "cxda.yaml"), "utf8");
    expect(text).toContain("# staging values");
    expect(text).toContain("# the prod region");
    expect(text.match(/\$\{env:PROMO_KEY\}/g)).toHaveLength(2);
    const plan = await cxda(["plan", "--json", "--detailed-exitcode"]);
    expect(plan.code, plan.stderr).toBe(2);
    const changes = (
      json(plan) as {
        changes: { kind: string; action: string; resource: string; env?: string; diff: { path: string }[] }[];
      }
    ).changes.filter((c) => c.kind !== "no-op");
    expect(changes.map((c) => [c.action, c.resource, c.env])).toEqual([[action, "overrides", "prod"]]);
    // A count is `count` or `<thing>Count` in every command's JSON, never a bare plural that elsewhere is a list.
    const liveRead = (json(plan) as { liveRead: Record<string, unknown> }).liveRead;
    expect(liveRead.actionCount).toEqual(expect.any(Number));
    expect(liveRead.requestCount).toEqual(expect.any(Number));
    expect(liveRead).not.toHaveProperty("actions");
    expect(changes[0]!.diff.map((d) => d.path).sort()).toEqual([
      "overrides.API_KEY",
      "overrides.REGION.value",
    ]);
    expect(plan.stdout).not.toContain(SECRET);
  });
});
