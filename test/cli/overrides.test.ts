// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:…} placeholders are CLI input, not template literals
/** `cxda overrides …`, `cxda drift`, `cxda builds …` end to end: the built CLI against an in-process emulator. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { type Emulator, UNTHROTTLED, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
useTestEmulator(
  UNTHROTTLED,
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

let counter = 0;
async function freshAction() {
  const name = `cli_ovr_${++counter}`;
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
  await client.close();
  return { name, id: action.id, dir, cxda };
}

const SECRET = "sk_live_cli_9f8e7d6c5b";

describe("cxda overrides", () => {
  it("validate works offline and points at file:line:column", async () => {
    const dir = scratchDir();
    writeFileSync(
      join(dir, "bad.yaml"),
      [
        "- name: CMD",
        "  value: rm -rf /;",
        "- name: lower",
        "  value: ok",
        "- name: PIN",
        "  value: '1234'",
        "  masked: true",
        "",
      ].join("\n"),
    );
    const bad = await runCxda(["overrides", "validate", "-f", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(65);
    // One location format for every -f command (as cxda validate): FILE:LINE:COLUMN: message, in order.
    expect(bad.stderr.split("\n").filter((l) => l.startsWith("bad.yaml:"))).toEqual([
      expect.stringMatching(/^bad\.yaml:2:10: .*';' at position 9/),
      expect.stringMatching(/^bad\.yaml:3:9: .*write 'LOWER'/),
      expect.stringMatching(/^bad\.yaml:6:10: .*shorter than 8 characters/),
    ]);
    writeFileSync(
      join(dir, "good.yaml"),
      "API_URL: https://api.example.com\nAPI_KEY: {value: '${env:K}', masked: true}\n",
    );
    const good = await runCxda(["overrides", "validate", "-f", "good.yaml", "--json"], {
      cwd: dir,
      env: { K: SECRET },
    });
    expect(good.code).toBe(0);
    expect(json(good)).toMatchObject({ valid: true, count: 2, names: ["API_URL", "API_KEY"] });
    expect(good.stdout).not.toContain(SECRET);
  });

  it("set (with placeholders), get, resolve and unset; a secret never printed", async () => {
    const { name, dir, cxda } = await freshAction();
    writeFileSync(
      join(dir, "o.yaml"),
      "variables:\n  - {name: API_KEY, value: '${env:API_KEY}', masked: true}\n  - {name: REGION, value: eu-west-1}\n",
    );
    const set = await cxda(["overrides", "set", name, "--env", "prod", "-f", "o.yaml"], { API_KEY: SECRET });
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/set 2 overrides of .* in prod \(version 2\)/);
    const get = await cxda(["overrides", "get", name, "--env", "prod"]);
    expect(get.stdout).toMatch(/API_KEY\s+\*\*\*\s+yes/);
    expect(get.stdout).toMatch(/REGION\s+eu-west-1\s+no/);
    const resolved = await cxda(["overrides", "resolve", name, "--env", "prod", "--json"]);
    expect(json(resolved).variables).toEqual([
      { name: "API_KEY", value: "***", source: "override", secret: true, shadows: [] },
      { name: "REGION", value: "eu-west-1", source: "override", secret: false, shadows: [] },
    ]);
    const unset = await cxda(["overrides", "unset", name, "--env", "prod", "REGION"]);
    expect(unset.code).toBe(0);
    const after = await cxda(["overrides", "get", name, "--env", "prod", "--json"]);
    expect((json(after).overrides as { variables: { name: string }[] }).variables.map((v) => v.name)).toEqual(
      ["API_KEY"],
    );
    const qa = await cxda(["overrides", "get", name, "--env", "qa"]);
    expect(qa.code).toBe(1);
    expect(qa.stderr).toMatch(/No environment "qa"/);
    for (const r of [set, get, resolved, unset, after]) expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(readFileSync(join(dir, "cxda-audit.jsonl"), "utf8")).not.toContain(SECRET);
  });
});

describe("cxda drift", () => {
  it("exits 0 without drift, 2 with --detailed-exitcode when there is, and prints a matrix or JSON", async () => {
    const { name, dir, cxda } = await freshAction();
    writeFileSync(join(dir, "same.yaml"), `TOKEN: {value: '${SECRET}', masked: true}\nLEVEL: info\n`);
    for (const env of ["staging", "prod"])
      expect((await cxda(["overrides", "set", name, "--env", env, "-f", "same.yaml"])).code).toBe(0);
    const none = await cxda([
      "drift",
      name,
      "--baseline",
      "staging",
      "--target",
      "prod",
      "--detailed-exitcode",
    ]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/no drift between staging and prod in 1 action/);

    writeFileSync(join(dir, "changed.yaml"), "TOKEN: {value: 'another-secret-1', masked: true}\nEXTRA: x\n");
    await cxda(["overrides", "set", name, "--env", "prod", "-f", "changed.yaml"]);
    const drift = await cxda([
      "drift",
      name,
      "--baseline",
      "staging",
      "--target",
      "prod",
      "--detailed-exitcode",
    ]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/TOKEN\s+masked_mismatch\s+\*\*\*\s+\*\*\*/);
    expect(drift.stdout).toMatch(/EXTRA\s+only_in_target\s+\(absent\)\s+x/);
    const plain = await cxda(["drift", name, "--baseline", "staging", "--target", "prod"]);
    expect(plain.code).toBe(0);
    const asJson = await cxda(["drift", name, "--baseline", "staging", "--target", "prod", "--json"]);
    expect(json(asJson)).toMatchObject({
      schemaVersion: 1,
      drift: true,
      summary: { count: 2, masked_mismatch: 1, actionCount: 1, driftingCount: 1 },
    });
    expect(asJson.stdout).not.toContain(SECRET);
  });
});

describe("cxda builds", () => {
  it("trigger --wait succeeds; status of a failed build exits 1 with its errors", async () => {
    const { name, id, dir, cxda } = await freshAction();
    const ok = await cxda(["builds", "trigger", name, "--env", "staging", "--wait"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/SUCCEEDED/);
    expect(ok.stdout).toMatch(/snapshot sha256:[0-9a-f]{64}/);

    writeFileSync(join(dir, "s.yaml"), "DB_PASSWORD: {value: 'correct-horse-battery', masked: true}\n");
    await cxda(["overrides", "set", name, "--env", "prod", "-f", "s.yaml"]);
    const set = emulator.store.overrides.get("demo", id, "prod")!;
    const item = set.items[0]!;
    emulator.store.overrides.put({
      ...set,
      items: [
        {
          ...item,
          sealed: { keyId: item.sealed!.keyId, ciphertext: `AAAA${item.sealed!.ciphertext.slice(4)}` },
        },
      ],
    });
    const queued = await cxda(["builds", "trigger", name, "--env", "prod", "--json"]);
    expect(queued.code).toBe(0);
    const buildId = (json(queued).build as { id: string }).id;
    let status = await cxda(["builds", "status", name, buildId]);
    for (let i = 0; i < 50 && /QUEUED|RUNNING/.test(status.stdout); i++)
      status = await cxda(["builds", "status", name, buildId]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/FAILED/);
    expect(status.stdout).toMatch(
      /variables\.DB_PASSWORD: The override variable 'DB_PASSWORD' cannot be decrypted/,
    );
    expect(status.stderr).toMatch(/failed with 1 error/);
  });
});
