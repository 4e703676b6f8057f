import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, json, runCxda, scratchDir } from "../helpers/cli.js";

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<number | null>;
}

async function startCli(args: string[], cwd: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, "emulator", "start", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") },
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 20_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on("close", () => reject(new Error(`emulator exited: ${out}`)));
  });
  return { child, url, exited };
}

describe("cxda emulator start", () => {
  it("serves the API, keeps state in --data-dir across a restart, and stops cleanly on SIGTERM", async () => {
    const cwd = scratchDir();
    const dataDir = join(cwd, "state");
    const first = await startCli(["--data-dir", dataDir], cwd);
    const tokenRes = await fetch(`${first.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=cxda-demo&client_secret=cxda-demo-secret",
    });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const created = await fetch(`${first.url}/api/v2/dataactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "survives_restart",
        type: "SCRIPT",
        script: { language: "JavaScript", content: "function main(c) { return c; }" },
      }),
    });
    expect(created.status).toBe(201);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = await startCli(["--data-dir", dataDir], cwd);
    const list = await runCxda(["actions", "list", "--json", "--base-url", second.url], { cwd });
    expect((json(list).actions as { name: string }[]).map((a) => a.name)).toEqual(["survives_restart"]);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  }, 60_000);

  it("--disable-capabilities leaves capabilities out of GET /api/v2 and refuses an unknown name", async () => {
    const cwd = scratchDir();
    const running = await startCli(
      ["--disable-capabilities", "snapshot,changesets,deployments,revisions"],
      cwd,
    );
    try {
      const tokenRes = await fetch(`${running.url}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=cxda-demo&client_secret=cxda-demo-secret",
      });
      const { access_token } = (await tokenRes.json()) as { access_token: string };
      const headers = { authorization: `Bearer ${access_token}` };
      const index = await fetch(`${running.url}/api/v2`, { headers });
      expect(await index.json()).toEqual({ apiVersion: "v2", capabilities: [] });
      expect((await fetch(`${running.url}/api/v2/snapshot`, { headers })).status).toBe(404);
    } finally {
      running.child.kill("SIGTERM");
      await running.exited;
    }
    const bad = await runCxda(["emulator", "start", "--port", "0", "--disable-capabilities", "snapshots"], {
      cwd,
    });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("--disable-capabilities");
    expect(bad.stderr).toContain("snapshots");
    expect(bad.stdout).not.toContain("listening");
  }, 60_000);

  it("refuses a bad config file with a clear error and does not start", async () => {
    const cwd = scratchDir();
    const config = join(cwd, "emulator.yaml");
    writeFileSync(
      config,
      "tenants:\n  - id: acme\n    clients: [{id: acme-ci, scopes: [dataactions:read]}]\n",
    );
    const result = await runCxda(["emulator", "start", "--port", "0", "--config", config], { cwd });
    expect(result.code).toBe(65);
    expect(result.stderr).toContain("emulator.yaml");
    expect(result.stderr).toMatch(/secret/);
    expect(result.stdout).not.toContain("listening");
  });

  it("refuses --data-dir together with --in-memory as a usage error", async () => {
    const result = await runCxda(["emulator", "start", "--port", "0", "--in-memory", "--data-dir", "x"]);
    expect(result.code).toBe(64);
  });
});
