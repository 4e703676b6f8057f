/**
 * The worked example of docs/emulator.md "Running several replicas" runs as written: two replicas of
 * the built CLI on one PostgreSQL database and `cxda emulator proxy` in front. Only what must differ
 * on a shared machine is replaced: the database (a fresh one, made and dropped by the test, for the
 * example's `psql … CREATE DATABASE`) and the three ports (free ones, for 8787, 8788 and 8080).
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, scratchDir } from "../../helpers/cli.js";
import { createTestDatabase, postgresForTests } from "../../helpers/postgres.js";

const available = postgresForTests().available;
const DOC = resolve(import.meta.dirname, "../../../docs/emulator.md");

function exampleBlock(): string {
  const text = readFileSync(DOC, "utf8");
  const at = text.indexOf("<!-- replicas-example -->\n```bash\n");
  if (at < 0) throw new Error("docs/emulator.md has no replicas example");
  const start = text.indexOf("\n", text.indexOf("```bash", at)) + 1;
  return text.slice(start, text.indexOf("\n```", start));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe.skipIf(!available)("docs: running several replicas", () => {
  it("the worked example runs as written", async () => {
    const database = await createTestDatabase();
    try {
      const dir = scratchDir();
      const bin = join(dir, ".bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "cxda"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(join(bin, "cxda"), 0o755);
      const block = exampleBlock();
      expect(block).toContain("psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE cxda_replicas'");
      const ports = { 8787: await freePort(), 8788: await freePort(), 8080: await freePort() };
      let script = block
        .replace("psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE cxda_replicas'", ": made by the test")
        .replaceAll("postgres://postgres@127.0.0.1:5432/cxda_replicas", database.url);
      for (const [from, to] of Object.entries(ports))
        script = script.replaceAll(`:${from}`, `:${to}`).replaceAll(`--port ${from}`, `--port ${to}`);
      writeFileSync(join(dir, "example.sh"), `set -eu\n${script}\n`);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env))
        if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
      Object.assign(env, {
        PATH: `${bin}:${process.env.PATH}`,
        XDG_CONFIG_HOME: join(dir, ".config"),
        NO_COLOR: "1",
      });
      const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        const child = spawn("bash", ["example.sh"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
        child.on("close", (status) => {
          clearTimeout(timer);
          done({ status, stdout, stderr });
        });
      });
      expect(run.status, `${run.stderr.slice(-3000)}\n${run.stdout.slice(-2000)}`).toBe(0);
      const health = run.stdout.match(/\{"status":"ok","replica":"[ab]"\}/g) ?? [];
      expect(new Set(health)).toEqual(
        new Set(['{"status":"ok","replica":"a"}', '{"status":"ok","replica":"b"}']),
      );
      expect(run.stdout.match(/hello_replicas/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
