import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAction, type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
let token: string;

useTestEmulator(
  {},
  (running) => {
    ({ emulator, token } = running);
  },
  { resetEach: false },
);

async function seed(name: string, dependencies: string[] = []): Promise<{ id: string; name: string }> {
  return createAction(emulator, token, {
    name,
    type: "SCRIPT",
    script: { language: "JavaScript", content: "function main(context) { return context.input; }" },
    dependencies,
  });
}

describe("cxda CLI shell", () => {
  it("prints its version and help with exit 0", async () => {
    const version = await runCxda(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCxda(["actions", "list", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
  });

  it("answers misuse with exit 64, one reason and the usage", async () => {
    const unknown = await runCxda(["actions", "frobnicate"]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown command/);
    expect(unknown.stderr).toContain("usage: cxda actions");
    const missing = await runCxda(["actions", "get"]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/missing required argument 'ref'/);
    const badFlag = await runCxda(["actions", "list", "--bogus"]);
    expect(badFlag.code).toBe(64);
    const badPort = await runCxda(["emulator", "start", "--port", "http"]);
    expect(badPort.code).toBe(64);
    expect(badPort.stderr).toContain("--port must be a whole number");
    const ftp = await runCxda(["actions", "list", "--base-url", "ftp://x"]);
    expect([ftp.code, ftp.stderr]).toEqual([
      65,
      expect.stringContaining("--base-url 'ftp://x': the scheme ftp is not supported"),
    ]);
    // Nothing listens on a loopback port: one attempt, no retry, and what to do.
    const refused = await runCxda(["actions", "list", "--verbose", "--base-url", "http://127.0.0.1:9"]);
    expect(refused.code).toBe(69);
    expect(refused.stderr).toContain(
      "nothing listens at 127.0.0.1:9 (connection refused); start one with `cxda emulator start`",
    );
    expect(refused.stderr).not.toContain("↻ retry");
    const fromEnv = await runCxda(["actions", "list"], { env: { CXDA_BASE_URL: "file:///x" } });
    expect(fromEnv.stderr).toContain("CXDA_BASE_URL 'file:///x': the scheme file is not supported");
  });

  it("lists and gets actions as JSON with a schema version", async () => {
    await seed("cli_list_a");
    await seed("cli_list_b");
    const list = await runCxda([
      "actions",
      "list",
      "--name-contains",
      "cli_list",
      "--json",
      "--base-url",
      emulator.url,
    ]);
    expect(list.code).toBe(0);
    const body = json(list);
    expect(body.schemaVersion).toBe(1);
    expect((body.actions as { name: string }[]).map((a) => a.name).sort()).toEqual([
      "cli_list_a",
      "cli_list_b",
    ]);
    const get = await runCxda(["actions", "get", "cli_list_a", "--json", "--base-url", emulator.url]);
    expect(get.code).toBe(0);
    expect((json(get).action as { name: string }).name).toBe("cli_list_a");
    const script = await runCxda(["actions", "get", "cli_list_a", "--script", "--base-url", emulator.url]);
    expect([script.code, script.stdout]).toEqual([0, "function main(context) { return context.input; }\n"]);
    const human = await runCxda(["actions", "list", "--base-url", emulator.url]);
    expect(human.stdout).toMatch(/NAME\s+TYPE\s+VERSION/);
  });

  it("checks credentials without printing the token or the secret", async () => {
    const ok = await runCxda(["auth", "check", "--json", "--base-url", emulator.url]);
    expect(ok.code).toBe(0);
    const body = json(ok);
    expect(body.clientId).toBe("cxda-demo");
    expect(body.scopes).toContain("dataactions:read");
    expect(ok.stdout).not.toContain("cxda-demo-secret");
    expect(ok.stdout).not.toMatch(/access_token/);
    const bad = await runCxda(["auth", "check", "--base-url", emulator.url], {
      env: { CXDA_CLIENT_ID: "cxda-demo", CXDA_CLIENT_SECRET: "wrong-secret-value" },
    });
    expect(bad.code).toBe(77);
    expect(bad.stderr).not.toContain("wrong-secret-value");
  });

  it("exits 1 for a missing action and 69 when the service cannot be reached", async () => {
    const missing = await runCxda(["actions", "get", "no_such_action", "--json", "--base-url", emulator.url]);
    expect(missing.code).toBe(1);
    expect(json(missing)).toMatchObject({ error: { code: "not-found", exitCode: 1 } });
    const down = await runCxda(["actions", "list", "--base-url", "http://127.0.0.1:9"], {
      timeoutMs: 60_000,
    });
    expect(down.code).toBe(69);
  }, 60_000);

  it("deletes with one audit line per operation, and refuses an invalid audit path before any write", async () => {
    const dir = scratchDir();
    await seed("cli_delete_me");
    // Without a terminal to ask on, --yes is required: exit 64 and nothing deleted (no audit line).
    const unasked = await runCxda(["actions", "delete", "cli_delete_me", "--base-url", emulator.url], {
      cwd: dir,
    });
    expect(unasked.code).toBe(64);
    expect(unasked.stderr).toContain("stdin is not a terminal: add --yes to delete cli_delete_me");
    expect(existsSync(join(dir, "cxda-audit.jsonl"))).toBe(false);
    const del = await runCxda(["actions", "delete", "cli_delete_me", "--yes", "--base-url", emulator.url], {
      cwd: dir,
    });
    expect(del.code).toBe(0);
    const lines = readFileSync(join(dir, "cxda-audit.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      operation: "actions.delete",
      outcome: "success",
      status: 204,
    });

    await seed("cli_keep_me");
    const badAudit = await runCxda(
      [
        "actions",
        "delete",
        "cli_keep_me",
        "--yes",
        "--audit-log",
        join(dir, "missing-dir", "audit.jsonl"),
        "--base-url",
        emulator.url,
      ],
      { cwd: dir },
    );
    expect(badAudit.code).toBe(65);
    const still = await runCxda(["actions", "get", "cli_keep_me", "--json", "--base-url", emulator.url]);
    expect(still.code).toBe(0);

    const audit = await runCxda(["audit", "--json", "--operation", "actions.delete"], { cwd: dir });
    expect(audit.code).toBe(0);
    expect((json(audit).records as unknown[]).length).toBe(1);
  });

  it("reads a profile file, and names the field of a broken one", async () => {
    const dir = scratchDir();
    const configDir = join(dir, ".config", "cxda");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, "config.yaml"), `profiles:\n  default:\n    baseUrl: ${emulator.url}\n`);
    const viaProfile = await runCxda(["actions", "list", "--json"], { cwd: dir });
    expect(viaProfile.code).toBe(0);
    writeFileSync(join(configDir, "config.yaml"), "profiles:\n  default:\n    baseUrl: 42\n");
    const broken = await runCxda(["actions", "list"], { cwd: dir });
    expect(broken.code).toBe(65);
    expect(broken.stderr).toContain("profiles.default.baseUrl");
  });
});
