import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { CLI, json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

describe("cxda configure and profiles list", () => {
  it("writes a profile from flags and stdin to CXDA_CONFIG (0600); list shows it without the secret", async () => {
    const cwd = scratchDir();
    const config = join(cwd, "cfg", "cxda.yaml");
    const env = { CXDA_CONFIG: config };
    const r = await runCxda(
      [
        "configure",
        "--profile",
        "local",
        "--base-url",
        emulator.url,
        "--client-id",
        "cxda-demo",
        "--client-secret-stdin",
      ],
      { cwd, env, input: "cxda-demo-secret\n" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("cxda-demo-secret");
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(config, "utf8")).toContain("clientSecret: cxda-demo-secret");

    // The profile is what the other commands use: CXDA_CONFIG replaces the default path.
    const check = await runCxda(["auth", "check", "--profile", "local", "--json"], { cwd, env });
    expect(check.code, check.stderr).toBe(0);
    expect(json(check)).toMatchObject({
      ok: true,
      profile: "local",
      configFile: config,
      baseUrl: emulator.url,
      demoCredentials: false,
    });
    const human = await runCxda(["auth", "check", "--profile", "local"], { cwd, env });
    expect(human.stdout).toContain(`profile         local (${config})`);

    // A second profile keeps the first.
    const second = await runCxda(
      ["configure", "--base-url", "https://dataactions.example.com", "--client-id", "ci"],
      {
        cwd,
        env,
      },
    );
    expect(second.code, second.stderr).toBe(0);
    const list = await runCxda(["profiles", "list", "--json"], { cwd, env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain("cxda-demo-secret");
    expect(json(list)).toMatchObject({
      path: config,
      count: 2,
      profiles: [
        { name: "local", active: false, baseUrl: emulator.url, clientId: "cxda-demo", clientSecretSet: true },
        { name: "default", active: true, clientId: "ci", clientSecretSet: false },
      ],
    });
    const table = await runCxda(["profiles", "list"], { cwd, env });
    expect(table.stdout).toMatch(/^\*\s+default\s+https:\/\/dataactions\.example\.com\s+ci\s+-/m);
    expect(table.stdout).not.toContain("cxda-demo-secret");
  });

  it("refuses with nothing to write when not on a terminal (exit 65)", async () => {
    const cwd = scratchDir();
    const r = await runCxda(["configure"], { cwd, env: { CXDA_CONFIG: join(cwd, "c.yaml") } });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("--client-secret-stdin");
  });

  it("asks on a terminal, without echoing the secret", () => {
    const cwd = scratchDir();
    const config = join(cwd, "c.yaml");
    writeFileSync(
      join(cwd, "answers.sh"),
      "sleep 1; printf 'https://emu.example\\n'; sleep 0.3; printf 'me\\n'; sleep 0.3; printf 'Typed-Secret-9f2\\n'\n",
    );
    const run = spawnSync(
      "sh",
      ["-c", `sh answers.sh | script -qfec '"${process.execPath}" "${CLI}" configure' /dev/null`],
      { cwd, encoding: "utf8", env: { ...process.env, CXDA_CONFIG: config, NO_COLOR: "1" }, timeout: 20_000 },
    );
    expect(run.stdout).toContain("API base URL");
    expect(run.stdout).toContain("Client secret");
    expect(run.stdout).not.toContain("Typed-Secret-9f2");
    const text = readFileSync(config, "utf8");
    expect(text).toContain("baseUrl: https://emu.example");
    expect(text).toContain("clientSecret: Typed-Secret-9f2");
  });
});
