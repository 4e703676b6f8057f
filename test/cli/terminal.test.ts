/**
 * The CLI on a terminal (issue 16): a real pseudo-terminal from `script -qfec`, the emulator in this
 * process (so every child is spawned asynchronously).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/server.js";
import { CLI, scratchDir } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    inMemory: true,
    rateLimit: { perMinute: 100_000, burst: 10_000 },
  });
});
afterAll(async () => {
  await emulator.close();
});

let counter = 0;
/** A scratch project of two SCRIPT actions with fresh names. */
function project(): { dir: string; names: string[] } {
  const dir = scratchDir();
  const n = ++counter;
  const names = [`term_alpha_${n}`, `term_beta_${n}`];
  mkdirSync(join(dir, "scripts"));
  writeFileSync(join(dir, "scripts", "step.js"), "function main(context) {\n  return context.input;\n}\n");
  writeFileSync(
    join(dir, "cxda.yaml"),
    `apiVersion: cxda/v1\nactions:\n${names.map((name) => `  ${name}:\n    type: SCRIPT\n    script: {file: scripts/step.js}\n`).join("")}`,
  );
  return { dir, names };
}

/** Runs a shell line in a pseudo-terminal, typing `input`; returns what the terminal showed. */
function inTerminal(
  dir: string,
  line: string,
  input: string,
): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve) => {
    const child = spawn("script", ["-qfec", line, "/dev/null"], {
      cwd: dir,
      env: {
        ...process.env,
        NO_COLOR: "1",
        XDG_CONFIG_HOME: join(dir, ".config"),
        CXDA_BASE_URL: emulator.url,
      },
    });
    let screen = "";
    child.stdout.on("data", (d: Buffer) => {
      screen += d.toString();
    });
    child.on("close", (code) => resolve({ code, screen }));
    child.stdin.end(input);
  });
}

describe("cxda apply on a terminal", () => {
  it("asks on the terminal even when stderr is redirected to a file", async () => {
    const { dir, names } = project();
    const r = await inTerminal(dir, `node ${CLI} apply 2>err.txt`, "yes\n");
    const err = readFileSync(join(dir, "err.txt"), "utf8");
    expect(err).not.toContain("not a terminal");
    expect(r.code, `${r.screen}\n${err}`).toBe(0);
    expect(r.screen).toContain("Apply these changes? (yes/no)");
    for (const name of names) expect(r.screen).toContain(`created ${name}`);
  });

  it("replaces the progress bar at the end by the list of what was done", async () => {
    const { dir, names } = project();
    const r = await inTerminal(dir, `node ${CLI} apply`, "yes\n");
    expect(r.code, r.screen).toBe(0);
    // What the last clear of the line leaves on screen: every operation done, then the summary.
    const last = r.screen.slice(r.screen.lastIndexOf("\x1b[2K") + 4);
    for (const name of names) expect(last).toContain(`✔ created ${name}`);
    expect(last).not.toContain("░");
    expect(last).toContain("Apply complete: 2 created");
  });
});

describe("cxda actions delete on a terminal", () => {
  /** A project applied without asking (--auto-approve), so its actions exist on the emulator. */
  async function applied(): Promise<{ dir: string; names: string[] }> {
    const p = project();
    const r = await inTerminal(p.dir, `node ${CLI} apply --auto-approve </dev/null`, "");
    expect(r.code, r.screen).toBe(0);
    return p;
  }
  async function exists(dir: string, name: string): Promise<boolean> {
    const r = await inTerminal(dir, `node ${CLI} actions list --name-contains ${name} --json`, "");
    expect(r.code, r.screen).toBe(0);
    return r.screen.includes(`"name": "${name}"`);
  }

  it.each(["no", "y", "YES please", ""])("answering %j deletes nothing", async (answer) => {
    const { dir, names } = await applied();
    const name = names[1]!;
    const r = await inTerminal(dir, `node ${CLI} actions delete ${name}`, `${answer}\n`);
    expect(r.screen).toContain(`Delete action ${name}? (yes/no)`);
    expect(r.screen).toContain("Delete cancelled; nothing was changed.");
    expect(r.screen).not.toContain(`deleted ${name}`);
    expect(r.code).not.toBe(0);
    expect(await exists(dir, name)).toBe(true);
  });

  it("answering yes deletes the action", async () => {
    const { dir, names } = await applied();
    const name = names[1]!;
    const r = await inTerminal(dir, `node ${CLI} actions delete ${name}`, "yes\n");
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain(`Delete action ${name}? (yes/no)`);
    expect(r.screen).toContain(`deleted ${name}`);
    expect(await exists(dir, name)).toBe(false);
  });
});

describe("cxda deployments rollback on a terminal", () => {
  /** A project applied without asking; returns the deployment that created its actions. */
  async function deployed(): Promise<{ dir: string; names: string[]; deployment: string }> {
    const p = project();
    const r = await inTerminal(p.dir, `node ${CLI} apply --auto-approve --json </dev/null`, "");
    expect(r.code, r.screen).toBe(0);
    const deployment = /"deploymentId": "([^"]+)"/.exec(r.screen)?.[1];
    expect(deployment, r.screen).toBeDefined();
    return { ...p, deployment: deployment! };
  }
  async function exists(dir: string, name: string): Promise<boolean> {
    const r = await inTerminal(dir, `node ${CLI} actions list --name-contains ${name} --json`, "");
    expect(r.code, r.screen).toBe(0);
    return r.screen.includes(`"name": "${name}"`);
  }

  it("shows the rollback's plan first; answering no restores nothing", async () => {
    const { dir, names, deployment } = await deployed();
    const r = await inTerminal(dir, `node ${CLI} deployments rollback ${deployment}`, "no\n");
    expect(r.screen).toContain(`Rolling back ${deployment} will:`);
    for (const name of names)
      expect(r.screen).toMatch(new RegExp(`action ${name}\\s+delete \\(the deployment created it\\)`));
    expect(r.screen).toContain(`Roll back deployment ${deployment}? (yes/no)`);
    expect(r.screen).toContain("Rollback cancelled; nothing was changed.");
    expect(r.code).not.toBe(0);
    for (const name of names) expect(await exists(dir, name)).toBe(true);
  });

  it("answering yes rolls the deployment back", async () => {
    const { dir, names, deployment } = await deployed();
    const r = await inTerminal(dir, `node ${CLI} deployments rollback ${deployment}`, "yes\n");
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain(`Rolled back ${deployment}`);
    for (const name of names) expect(await exists(dir, name)).toBe(false);
  });
});
