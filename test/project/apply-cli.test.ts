/** `cxda apply` end to end: the built CLI against an in-process emulator, including a kill mid-way. */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { api, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";
import { CLI, json, runCxda, scratchDir } from "../helpers/cli.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const SECRETS = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};
const SCRIPT = "function main(context) {\n  return context.input;\n}\n";

let emulator: Emulator;

beforeAll(async () => {
  // Paced like a real tenant (20 requests/s), so an apply of many actions takes long enough to kill.
  // The request-per-resource path (no changesets); the changeset path is apply-changeset-cli.test.ts.
  emulator = await startTestEmulator({
    rateLimit: { perMinute: 1200, burst: 5 },
    disableCapabilities: ["changesets"],
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
});

function env(): Record<string, string> {
  return {
    CXDA_BASE_URL: emulator.url,
    CXDA_CLIENT_ID: "cxda-demo",
    CXDA_CLIENT_SECRET: "cxda-demo-secret",
    ...SECRETS,
  };
}

function exampleCopy(): string {
  const cwd = scratchDir();
  cpSync(EXAMPLE_DIR, cwd, { recursive: true });
  return cwd;
}

interface LogEntry {
  seq: number;
  method: string;
  path: string;
  status: number | null;
  idempotencyKey: string | null;
}

async function requestLog(): Promise<LogEntry[]> {
  return (await api(emulator, "GET", "/_emulator/requests")).body.requests as LogEntry[];
}

async function apiWrites(after = 0): Promise<LogEntry[]> {
  return (await requestLog()).filter(
    (r) => r.seq > after && r.method !== "GET" && r.path.startsWith("/api/"),
  );
}

async function lastSeq(): Promise<number> {
  return (await requestLog()).at(-1)?.seq ?? 0;
}

describe("cxda apply", () => {
  it("refuses without a terminal and without --auto-approve: exit 64, nothing read or written", async () => {
    const before = await lastSeq();
    const result = await runCxda(["apply"], { cwd: exampleCopy(), env: env() });
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/use --auto-approve in CI/);
    expect((await requestLog()).filter((r) => r.seq > before && r.path.startsWith("/api/"))).toEqual([]);
  });

  it("applies nothing when the file is invalid: exit 65 with file:line:column", async () => {
    const cwd = scratchDir();
    writeFileSync(join(cwd, "a.js"), SCRIPT);
    writeFileSync(
      join(cwd, "cxda.yaml"),
      "apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    script: {file: a.js}\n  beta_two:\n    type: SCRIPT\n    scirpt: {file: a.js}\n",
    );
    const before = await lastSeq();
    const result = await runCxda(["apply", "--auto-approve"], { cwd, env: env() });
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/cxda\.yaml:8:5: unknown key 'scirpt'/);
    expect(await apiWrites(before)).toEqual([]);
  });

  it("applies with --auto-approve (a line per operation), then says there is nothing to apply", async () => {
    const cwd = exampleCopy();
    const first = await runCxda(["apply", "--auto-approve"], { cwd, env: env() });
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\[ 1\/15\] ✔ created normalize_phone$/m);
    expect(first.stdout).toMatch(/^\[15\/15\] ✔ /m);
    expect(first.stdout).toContain("Apply complete: 15 created, 0 updated, 0 deleted (15 operations).");
    for (const secret of Object.values(SECRETS)) expect(first.stdout + first.stderr).not.toContain(secret);

    const again = await runCxda(["apply", "--auto-approve", "--json"], { cwd, env: env() });
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({
      schemaVersion: 1,
      ok: true,
      changed: false,
      message: "No changes. Nothing to apply.",
      applied: { created: 0, updated: 0, deleted: 0 },
    });
    const human = await runCxda(["apply"], { cwd, env: env() });
    expect(human.code).toBe(64);
  });

  it("exits 1 with every failure, its reason and the state it left", async () => {
    const cwd = exampleCopy();
    const token = await getToken(emulator);
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: {
        name: "normalize_phone",
        type: "SCRIPT",
        script: { language: "JavaScript", content: SCRIPT },
        locked: true,
      },
    });
    const result = await runCxda(["apply", "--auto-approve", "--json"], { cwd, env: env() });
    expect(result.code).toBe(1);
    const body = json(result);
    expect(body.ok).toBe(false);
    const failures = body.failures as {
      operation: string;
      outcome: string;
      stateText: string;
      reason: string;
    }[];
    expect(failures.map((f) => f.operation)).toEqual([
      "update normalize_phone",
      "create normalize_phone variables",
    ]);
    for (const f of failures) {
      expect(f.outcome).toBe("failed");
      expect(f.stateText).toBe("left at its old state");
      expect(f.reason).toMatch(/locked/i);
    }
    // The fresh plan's 15 creates less the two on the locked action (now an update and its variables).
    expect(body.applied).toEqual({ created: 13, updated: 0, deleted: 0 });
  });

  it("refuses a saved plan once the tenant changed (PlanDriftError, exit 1), applies an up-to-date one", async () => {
    const cwd = exampleCopy();
    const planned = await runCxda(["plan", "--out", "plan.json"], { cwd, env: env() });
    expect(planned.code).toBe(0);
    const token = await getToken(emulator);
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: { name: "someone_else", type: "SCRIPT", script: { language: "JavaScript", content: SCRIPT } },
    });
    const before = await lastSeq();
    const refused = await runCxda(["apply", "--plan", "plan.json"], { cwd, env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the tenant changed since this plan was made; run cxda plan again/);
    expect(await apiWrites(before)).toEqual([]);

    const replanned = await runCxda(["plan", "--out", "plan.json"], { cwd, env: env() });
    expect(replanned.code).toBe(0);
    const applied = await runCxda(["apply", "--plan", "plan.json"], { cwd, env: env() });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete: 15 created");
  });

  it("after a SIGKILL mid-way, a re-run converges with no duplicate creates", async () => {
    const cwd = scratchDir();
    mkdirSync(join(cwd, "scripts"));
    writeFileSync(join(cwd, "scripts", "step.js"), SCRIPT);
    const actions = Array.from({ length: 14 }, (_, i) => {
      const name = `step_${String(i).padStart(2, "0")}`;
      const deps = i === 0 ? "" : `\n    dependencies: [step_${String(i - 1).padStart(2, "0")}]`;
      return `  ${name}:\n    type: SCRIPT\n    script: {file: scripts/step.js}${deps}\n    headers: {X-Step: "${i}"}\n    variables:\n      - {name: position, type: integer, value: ${i}}`;
    });
    writeFileSync(join(cwd, "cxda.yaml"), `apiVersion: cxda/v1\nactions:\n${actions.join("\n")}\n`);

    const seen = await killAfterLines(["apply", "--auto-approve"], cwd, 5);
    expect(seen.killed).toBe(true);
    const created = (await requestLog()).filter(
      (r) => r.method === "POST" && r.path === "/api/v2/dataactions" && r.status === 201,
    );
    expect(created.length).toBeGreaterThan(0);
    expect(created.length).toBeLessThan(14);

    const resumed = await runCxda(["apply", "--auto-approve"], { cwd, env: env(), timeoutMs: 60_000 });
    expect(resumed.stderr).not.toMatch(/error/);
    expect(resumed.code).toBe(0);
    const plan = await runCxda(["plan", "--detailed-exitcode"], { cwd, env: env() });
    expect(plan.code).toBe(0);

    const posts = (await requestLog()).filter((r) => r.method === "POST" && r.path === "/api/v2/dataactions");
    // Every action was created exactly once: no second create, no name conflict, no refused replay.
    expect(posts.filter((r) => r.status === 201)).toHaveLength(14);
    expect(posts.filter((r) => r.status !== 201 && r.status !== null)).toEqual([]);
    const token = await getToken(emulator);
    const list = await api(emulator, "GET", "/api/v2/dataactions?pageSize=100", { token });
    expect(list.body.entities.map((a: { name: string }) => a.name).sort()).toEqual(
      actions.map((_, i) => `step_${String(i).padStart(2, "0")}`),
    );
  }, 90_000);
});

/** Runs the CLI and SIGKILLs it once `lines` progress lines reached stdout. */
function killAfterLines(
  args: string[],
  cwd: string,
  lines: number,
): Promise<{ killed: boolean; stdout: string }> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("CXDA_")) childEnv[k] = v;
  Object.assign(childEnv, env(), { NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") });
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let killed = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const progress = stdout.split("\n").filter((l) => /^\[\s*\d+\/\d+\]/.test(l)).length;
      if (!killed && progress >= lines) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", () => done({ killed, stdout }));
  });
}
