/** The CLI in a shell pipeline (issue 16, bugs 1 and 3): a reader that stops early is not a crash. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Emulator, UNTHROTTLED, useTestEmulator } from "../emulator/helpers.js";
import { CLI, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
const dir = scratchDir();
useTestEmulator(
  UNTHROTTLED,
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);
beforeAll(async () => {
  const { createClient } = await import("../../src/client/client.js");
  const client = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
  });
  for (let i = 0; i < 30; i += 1) {
    await client.actions.create({
      name: `crm_lookup_${i}`,
      type: "HTTP",
      config: {
        request: { method: "GET", urlTemplate: "https://crm.example.com/contacts/{id}" },
        headers: { Accept: "application/json", "X-Source": "cxda", "X-Trace": "on" },
      },
    });
  }
  await client.close();
});

/** Runs `cxda ARGS | READER` in bash with pipefail: the status is cxda's unless the reader fails. */
function piped(
  args: string[],
  reader: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
  Object.assign(env, { XDG_CONFIG_HOME: join(dir, ".config"), NO_COLOR: "1", CXDA_BASE_URL: emulator.url });
  const quoted = args.map((a) => `'${a}'`).join(" ");
  // Asynchronous: the emulator serving the CLI runs in this process.
  const child = spawn(
    "bash",
    ["-c", `set -o pipefail; '${process.execPath}' '${CLI}' ${quoted} | ${reader}`],
    {
      cwd: dir,
      env,
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("a pipe closed by its reader", () => {
  const commands = [
    ["actions", "list"],
    ["drift", "--baseline", "dev", "--target", "prod"],
    ["headers", "get", "crm_lookup_0"],
  ];
  for (const args of commands) {
    it(`cxda ${args.join(" ")} exits 0 without a word on stderr`, async () => {
      // `true` reads nothing and exits at once, so every write cxda makes meets a closed pipe.
      for (const reader of ["true", "head -1"]) {
        const r = await piped(args, reader);
        expect(r.stderr, reader).not.toMatch(/EPIPE|Error|at /);
        expect(r.code, `${reader}: ${r.stderr}`).toBe(0);
      }
    });
  }
});

describe("cxda help", () => {
  it("prints help and exits 0, alone or with a command", async () => {
    const top = await runCxda(["help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: cxda/);
    const group = await runCxda(["help", "actions"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^Usage: cxda actions/);
    expect(group.stdout).toContain("list");
  });
});
