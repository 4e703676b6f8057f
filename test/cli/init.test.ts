import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

describe("cxda init", () => {
  it("scaffolds a project that validates, plans and applies, and prints the next three commands", async () => {
    const cwd = scratchDir();
    const r = await runCxda(["init", "proj"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["cxda.yaml", "cxda.schema.json", "scripts/hello.js", ".gitignore"])
      expect(existsSync(join(cwd, "proj", f)), f).toBe(true);
    const yaml = readFileSync(join(cwd, "proj/cxda.yaml"), "utf8");
    expect(yaml.split("\n")[0]).toBe("# yaml-language-server: $schema=./cxda.schema.json");
    expect(JSON.parse(readFileSync(join(cwd, "proj/cxda.schema.json"), "utf8"))).toHaveProperty("$schema");
    const ignore = readFileSync(join(cwd, "proj/.gitignore"), "utf8");
    expect(ignore).toContain("cxda-audit.jsonl");
    expect(ignore).toContain("plan.json");
    const next = r.stdout.slice(r.stdout.indexOf("Next:")).split("\n").slice(1, 4);
    expect(next.map((l) => l.trim().split("  #")[0]!.trim())).toEqual([
      "cxda validate -f proj/cxda.yaml",
      "cxda plan -f proj/cxda.yaml",
      "cxda apply -f proj/cxda.yaml",
    ]);

    const env = { CXDA_BASE_URL: emulator.url };
    const validate = await runCxda(["validate", "-f", "proj/cxda.yaml"], { cwd });
    expect(validate.code, validate.stderr).toBe(0);
    const apply = await runCxda(["apply", "-f", "proj/cxda.yaml", "--auto-approve"], { cwd, env });
    expect(apply.code, apply.stderr).toBe(0);
    const test = await runCxda(["actions", "test", "hello", "--input", '{"name":"Ada"}', "--json"], {
      cwd,
      env,
    });
    expect(json(test)).toMatchObject({ result: { output: { message: "Hello, Ada!" } } });
  });

  it("refuses when any file exists, and writes nothing (exit 65)", async () => {
    const cwd = scratchDir();
    writeFileSync(join(cwd, ".gitignore"), "node_modules\n");
    const r = await runCxda(["init"], { cwd });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain(".gitignore");
    expect(existsSync(join(cwd, "cxda.yaml"))).toBe(false);
    expect(readFileSync(join(cwd, ".gitignore"), "utf8")).toBe("node_modules\n");
    const again = await runCxda(["init", "--json"], { cwd: scratchDir() });
    expect(json(again)).toMatchObject({ next: ["cxda validate", "cxda plan", "cxda apply"] });
  });
});
