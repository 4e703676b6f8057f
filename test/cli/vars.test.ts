// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are literal ${…} text, not template literals
/** `cxda vars …` end to end: the built CLI against an in-process emulator (issue 6). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateProject } from "../../src/project/validate-project.js";
import { createAction, getToken, scriptAction, startTestEmulator } from "../emulator/helpers.js";
import { type CliResult, json, runCxda, scratchDir } from "../helpers/cli.js";

type Emulator = Awaited<ReturnType<typeof startTestEmulator>>;
let emulator: Emulator;
let token: string;
const ENV_SECRET = "cli-env-Needle-5e1f0a";
const FILE_SECRET = "cli-file-Needle-9c2d44";
const LITERAL_SECRET = "cli-literal-Needle-77aa";

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 100_000, burst: 10_000 } });
  token = await getToken(emulator);
  await createAction(emulator, token, scriptAction("cli_vars_action"));
});
afterAll(() => emulator.close());

function cxda(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runCxda(args, {
    cwd,
    env: {
      CXDA_BASE_URL: emulator.url,
      CXDA_CLIENT_ID: "cxda-demo",
      CXDA_CLIENT_SECRET: "cxda-demo-secret",
      ...env,
    },
  });
}

function expectNoSecrets(...results: CliResult[]): void {
  for (const r of results)
    for (const s of [ENV_SECRET, FILE_SECRET, LITERAL_SECRET]) {
      expect(r.stdout).not.toContain(s);
      expect(r.stderr).not.toContain(s);
    }
}

const GOOD = `variables:
  - {name: baseUrl, type: string, value: "https://crm.example.test"}
  - {name: maxRetries, type: integer, value: "3"}
  - {name: apiKey, type: string, value: "\${env:CRM_API_KEY}", encrypted: true}
  - {name: signingKey, type: string, value: "\${file:signing.txt}", encrypted: true}
`;

describe("cxda vars validate (offline)", () => {
  it("reports every problem with file:line:column and exits 65, without credentials", async () => {
    const cwd = scratchDir();
    writeFileSync(
      join(cwd, "bad.yaml"),
      [
        "- {name: count, type: integer, value: 42}",
        "- {name: ratio, type: float, value: '0.5'}",
        "- {name: __proto__, type: string, value: x}",
        "- {name: dup, type: string, value: a}",
        "- {name: DUP, type: string, value: b}",
        "",
      ].join("\n"),
    );
    const r = await runCxda(["vars", "validate", "-f", "bad.yaml"], { cwd });
    expect(r.code).toBe(65);
    // `value: 42` is the text "42", as in cxda.yaml; the rest is refused, FILE:LINE:COLUMN in order.
    expect(r.stderr).toContain("variables refused (3 problems)");
    expect(r.stderr.split("\n").filter((l) => l.startsWith("bad.yaml:"))).toEqual([
      expect.stringMatching(/^bad\.yaml:2:\d+: type of 'ratio' 'float' is not accepted/),
      expect.stringMatching(/^bad\.yaml:3:\d+: Variable name '__proto__' is reserved/),
      expect.stringMatching(/^bad\.yaml:5:\d+: Variable name 'dup' is used 2 times/),
    ]);
    const j = await runCxda(["vars", "validate", "-f", "bad.yaml", "--json"], { cwd });
    expect(j.code).toBe(65);
    expect((json(j).error as { issues: unknown[] }).issues.length).toBe(3);
  });

  it('reads `value: 3` as the text "3", the same value rule as cxda.yaml', async () => {
    const cwd = scratchDir();
    writeFileSync(
      join(cwd, "vars.yaml"),
      "- {name: count, type: integer, value: 3}\n- {name: on, type: boolean, value: true}\n",
    );
    const r = await runCxda(["vars", "validate", "-f", "vars.yaml", "--json"], { cwd });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, count: 2 });
    const project = validateProject(
      "apiVersion: cxda/v1\nactions:\n  alpha:\n    type: HTTP\n    request: {method: GET, urlTemplate: 'https://x.example'}\n    variables:\n      - {name: count, type: integer, value: 3}\n      - {name: on, type: boolean, value: true}\n",
    );
    expect(project.problems).toEqual([]);
    expect(project.project!.actions[0]!.variables!.map((v) => v.value)).toEqual(["3", "true"]);
  });

  it("accepts a good file, and warns (not fails) about a literal secret it never prints", async () => {
    const cwd = scratchDir();
    writeFileSync(
      join(cwd, "vars.yaml"),
      `- {name: apiKey, type: string, value: "${LITERAL_SECRET}", encrypted: true}\n- {name: region, type: string, value: eu}\n`,
    );
    const r = await runCxda(["vars", "validate", "-f", "vars.yaml"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2 variables valid at action level (1 encrypted)");
    expect(r.stderr).toMatch(/warning: vars\.yaml:1:\d+: encrypted variable 'apiKey' has a literal value/);
    expectNoSecrets(r);
  });

  it("names a missing environment variable of a placeholder", async () => {
    const cwd = scratchDir();
    writeFileSync(join(cwd, "vars.yaml"), GOOD);
    writeFileSync(join(cwd, "signing.txt"), `${FILE_SECRET}\n`);
    const r = await runCxda(["vars", "validate", "-f", "vars.yaml"], { cwd });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("environment variable CRM_API_KEY is not set");
  });
});

describe("cxda vars set / get / global / rotation", () => {
  it("writes secrets from ${env:…} and ${file:…}, never printing them, and rotates keys cleanly", async () => {
    const cwd = scratchDir();
    writeFileSync(join(cwd, "vars.yaml"), GOOD);
    writeFileSync(join(cwd, "signing.txt"), `${FILE_SECRET}\n`);
    const env = { CRM_API_KEY: ENV_SECRET };

    const set = await cxda(["vars", "set", "cli_vars_action", "-f", "vars.yaml", "--json"], cwd, env);
    expect(set.code).toBe(0);
    const written = json(set);
    expect(written).toMatchObject({
      scope: "action",
      version: 2,
      count: 4,
      encryptedCount: 2,
      unchanged: false,
    });
    expect((written.variables as { value: unknown }[])[2]!.value).toBeNull();

    const get = await cxda(["vars", "get", "cli_vars_action"], cwd);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/apiKey\s+string\s+\*\*\*\s+yes\s+k_/);
    expect(get.stdout).toContain("https://crm.example.test");

    writeFileSync(
      join(cwd, "globals.json"),
      JSON.stringify([{ name: "shared", type: "string", value: "${env:CRM_API_KEY}", encrypted: true }]),
    );
    const gset = await cxda(["vars", "global", "set", "-f", "globals.json"], cwd, env);
    expect(gset.code).toBe(0);
    expect(gset.stdout).toContain("global variables replaced: 1 variable, 1 encrypted");
    const gget = await cxda(["vars", "global", "get", "--json"], cwd);
    expect((json(gget).variables as { value: unknown }[])[0]!.value).toBeNull();

    const clean = await cxda(["vars", "rotation-check"], cwd);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain("clean:");

    await fetch(`${emulator.url}/api/v2/keys/rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    const stale = await cxda(["vars", "rotation-check", "--json"], cwd);
    const staleBody = json(stale) as { clean: boolean; stale: { name: string }[] };
    expect(staleBody.clean).toBe(false);
    expect(staleBody.stale.map((s) => s.name).sort()).toEqual(["apiKey", "shared", "signingKey"]);

    const re = await cxda(["vars", "reencrypt", "cli_vars_action"], cwd);
    expect(re.code).toBe(0);
    expect(re.stdout).toContain("re-encrypted apiKey, signingKey");
    const one = await cxda(["vars", "rotation-check", "cli_vars_action"], cwd);
    expect(one.stdout).toContain("clean: all 2 secrets in 1 action use the active key");

    const audit = readFileSync(join(cwd, "cxda-audit.jsonl"), "utf8");
    expect(audit).toContain('"operation":"variables.set"');
    expect(audit).toContain('"operation":"variables.reencrypt"');
    for (const s of [ENV_SECRET, FILE_SECRET]) expect(audit).not.toContain(s);
    expectNoSecrets(set, get, gset, gget, clean, stale, re, one);
  });

  it("a bad file writes nothing and exits 65", async () => {
    const cwd = scratchDir();
    writeFileSync(
      join(cwd, "bad.json"),
      JSON.stringify({ variables: [{ name: "x", type: "float", value: "1" }] }),
    );
    const before = await cxda(["vars", "get", "cli_vars_action", "--json"], cwd);
    const r = await cxda(["vars", "set", "cli_vars_action", "-f", "bad.json"], cwd);
    expect(r.code).toBe(65);
    const after = await cxda(["vars", "get", "cli_vars_action", "--json"], cwd);
    expect(json(after).version).toBe(json(before).version);
  });
});
