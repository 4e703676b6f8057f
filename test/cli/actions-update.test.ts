/** `cxda actions update` end to end: the built CLI against an in-process emulator. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
let dir: string;

useTestEmulator(
  { rateLimit: { perMinute: 1_000_000, burst: 10_000 } },
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

const V1 = "function main(context) {\n  const a = 1;\n  return { a };\n}\n";
const V2 = "function main(context) {\n  const a = 2;\n  return { a };\n}\n";

beforeAll(() => {
  dir = scratchDir();
  writeFileSync(join(dir, "v1.js"), V1);
  writeFileSync(join(dir, "v2.js"), V2);
  writeFileSync(join(dir, "bad.js"), "function main(context) {\n  return context.input +;\n}\n");
});

const cxda = (args: string[], input?: string) =>
  runCxda([...args, "--base-url", emulator.url], { cwd: dir, ...(input === undefined ? {} : { input }) });

let counter = 0;
async function created(): Promise<{ name: string; id: string }> {
  const name = `upd_${++counter}`;
  const r = await cxda(["actions", "create", "--name", name, "--script", "v1.js", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return { name, id: (json(r).action as { id: string }).id };
}

async function stored(name: string): Promise<{ version: number; script: string; description: string }> {
  const r = await cxda(["actions", "get", name, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  const a = json(r).action as { version: number; script: { content: string }; description: string };
  return { version: a.version, script: a.script.content, description: a.description };
}

describe("cxda actions update", () => {
  it("sends the new script with the version read and prints the line diff of what changed", async () => {
    const { name } = await created();
    const r = await cxda(["actions", "update", name, "--script", "v2.js"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`updated ${name} (version 1 → 2)`);
    expect(r.stdout).toContain("script        +1 −1 lines");
    expect(r.stdout).toContain("-  const a = 1;");
    expect(r.stdout).toContain("+  const a = 2;");
    expect(await stored(name)).toMatchObject({ version: 2, script: V2 });
    // What `actions get --script` prints goes back in unchanged: nothing is sent.
    const again = await cxda(["actions", "update", name, "--script", "v2.js", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ updated: false, changes: [] });
    expect((await stored(name)).version).toBe(2);
  });

  it("by id, description and dependencies only, --json lists the changes", async () => {
    const base = await created();
    const { name, id } = await created();
    const r = await cxda([
      "actions",
      "update",
      id,
      "--description",
      "new text",
      "--depends-on",
      base.name,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as { updated: boolean; fromVersion: number; changes: unknown[] };
    expect(out.updated).toBe(true);
    expect(out.fromVersion).toBe(1);
    expect(out.changes).toEqual([
      { field: "description", before: "", after: "new text" },
      { field: "dependencies", before: [], after: [base.name] },
    ]);
    expect(await stored(name)).toMatchObject({ version: 2, description: "new text", script: V1 });
  });

  it("reads the script from standard input with -", async () => {
    const { name } = await created();
    const r = await cxda(["actions", "update", name, "--script", "-"], V2);
    expect(r.code, r.stderr).toBe(0);
    expect((await stored(name)).script).toBe(V2);
  });

  it("refuses a script that does not parse (65, FILE:LINE:COLUMN) and sends nothing", async () => {
    const { name } = await created();
    const r = await cxda(["actions", "update", name, "--script", "bad.js"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/^error: bad\.js:2:\d+: syntax error/m);
    expect((await stored(name)).version).toBe(1);
  });

  it("without anything to change is a usage error (64)", async () => {
    const { name } = await created();
    const r = await cxda(["actions", "update", name]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("nothing to update: give --script FILE");
  });

  it("an unknown action is not found (exit 1) and names the ref", async () => {
    const r = await cxda(["actions", "update", "no_such_action_x", "--description", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no_such_action_x");
  });

  it("create's name conflict points to this command", async () => {
    const { name } = await created();
    const r = await cxda(["actions", "create", "--name", name, "--script", "v2.js"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already exists");
    expect(r.stderr).toContain(`cxda actions update ${name} --script v2.js`);
    // And that command does what it says.
    const u = await cxda(["actions", "update", name, "--script", "v2.js"]);
    expect(u.code, u.stderr).toBe(0);
    expect((await stored(name)).script).toBe(V2);
  });
});
