/**
 * `cxda console` as a user runs it: the built CLI spawned (asynchronously: the emulator is in-process),
 * its printed login URL signs in once, the API answers with the profile's tenant, Ctrl+C stops it.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { CLI, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator?.close());

function cliEnv(cwd: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
  return { ...env, NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config"), CXDA_BASE_URL: emulator.url };
}

describe("cxda console (CLI)", () => {
  it("prints a login URL on 127.0.0.1 that signs in once, serves the tenant, and exits 0 on Ctrl+C", async () => {
    const cwd = scratchDir();
    const child = spawn(process.execPath, [CLI, "console"], {
      cwd,
      env: cliEnv(cwd),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const loginUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout} ${stderr}`)), 20_000);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        const match = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    try {
      expect(stdout).toContain(`tenant ${emulator.url}`);
      expect(stdout).not.toContain("cxda-demo-secret");
      const login = await request(loginUrl);
      await login.body.text();
      expect(login.statusCode).toBe(303);
      const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
      const model = await request(new URL("/api/model", loginUrl), { headers: { cookie } });
      expect(model.statusCode).toBe(200);
      expect(await model.body.json()).toMatchObject({ source: "snapshot", actions: [] });
      const reused = await request(loginUrl);
      await reused.body.text();
      expect(reused.statusCode).toBe(403);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain("stopping the console");
  });

  it("fails in the terminal, before printing a URL, when the credentials are refused (exit 77)", async () => {
    const result = await runCxda(["console"], {
      env: {
        CXDA_BASE_URL: emulator.url,
        CXDA_CLIENT_ID: "cxda-demo",
        CXDA_CLIENT_SECRET: "not-the-secret-123",
      },
    });
    expect(result.code).toBe(77);
    expect(result.stdout).not.toContain("token=");
    expect(result.stderr + result.stdout).not.toContain("not-the-secret-123");
  });

  it("refuses a port that is not one, naming the flag (exit 64)", async () => {
    const result = await runCxda(["console", "--port", "http"], { env: { CXDA_BASE_URL: emulator.url } });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("--port");
    expect(result.stderr).toContain("0–65535");
  });
});
