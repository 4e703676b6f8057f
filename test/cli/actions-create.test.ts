/** `cxda actions create | test | validate` end to end: the built CLI against an in-process emulator. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
let dir: string;

useTestEmulator(
  { rateLimit: { perMinute: 1_000_000, burst: 10_000 }, sandbox: { timeoutMs: 200, memoryMb: 32 } },
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);
beforeAll(() => {
  dir = scratchDir();
  writeFileSync(
    join(dir, "f.js"),
    'function main(context) {\n  console.log("got", context.input.a);\n  return { a: context.input.a + 1 };\n}\n',
  );
  writeFileSync(join(dir, "bad.js"), "function main(context) {\n  return context.input +;\n}\n");
  writeFileSync(join(dir, "loop.js"), "function main() {\n  for (;;) {}\n}\n");
  writeFileSync(join(dir, "input.json"), '{"a": 41}\n');
});

const cxda = (...args: string[]) => runCxda([...args, "--base-url", emulator.url], { cwd: dir });

describe("cxda actions create", () => {
  it("creates with --test-input and --json: exit 0, the action, the test result", async () => {
    const res = await cxda(
      "actions",
      "create",
      "--name",
      "cli_x",
      "--script",
      "f.js",
      "--test-input",
      '{"a":1}',
      "--json",
    );
    expect(res.code).toBe(0);
    const body = json(res);
    expect(body).toMatchObject({
      schemaVersion: 1,
      ok: true,
      exitCode: 0,
      action: { name: "cli_x", type: "SCRIPT", version: 1 },
      testResult: { status: "SUCCESS", output: { a: 2 }, logs: ["got 1"] },
      attempts: 1,
    });
    const audit = readFileSync(join(dir, "cxda-audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({
      operation: "actions.create",
      outcome: "success",
      target: { name: "cli_x" },
    });
  });

  it("prints the output and the logs for people, and takes the input from @FILE", async () => {
    const res = await cxda(
      "actions",
      "create",
      "--name",
      "x_human",
      "--script",
      "f.js",
      "--depends-on",
      "cli_x",
      "--description",
      "adds one",
      "--test-input",
      "@input.json",
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/created x_human \(id [0-9a-f-]{36}, version 1\)/);
    expect(res.stdout).toContain("depends on cli_x");
    expect(res.stdout).toContain("test SUCCESS");
    expect(res.stdout).toContain('"a": 42');
    expect(res.stdout).toContain("got 41");
  });

  it("a syntax error exits 65 with file:line:column, and nothing is created", async () => {
    const res = await cxda("actions", "create", "--name", "never_made", "--script", "bad.js");
    expect(res.code).toBe(65);
    expect(res.stderr).toMatch(/bad\.js:2:25: syntax error: Unexpected token/);
    const list = await cxda("actions", "list", "--name-contains", "never_made", "--json");
    expect(json(list).count).toBe(0);
    const structured = await cxda(
      "actions",
      "create",
      "--name",
      "never_made",
      "--script",
      "bad.js",
      "--json",
    );
    expect(structured.code).toBe(65);
    expect(json(structured)).toMatchObject({
      error: {
        code: "script-syntax",
        exitCode: 65,
        issues: [{ path: "bad.js", code: "script-syntax", line: 2, column: 25 }],
      },
    });
  });

  it("invalid input exits 65: unknown dependency, malformed --test-input, missing script file", async () => {
    const unknown = await cxda(
      "actions",
      "create",
      "--name",
      "lonely",
      "--script",
      "f.js",
      "--depends-on",
      "ghost",
    );
    expect(unknown.code).toBe(65);
    expect(unknown.stderr).toMatch(/no action named "ghost"/);
    const malformed = await cxda(
      "actions",
      "create",
      "--name",
      "lonely",
      "--script",
      "f.js",
      "--test-input",
      "{a:1}",
    );
    expect(malformed.code).toBe(65);
    expect(malformed.stderr).toMatch(/--test-input: not valid JSON/);
    const missing = await cxda("actions", "create", "--name", "lonely", "--script", "nope.js");
    expect(missing.code).toBe(65);
    expect(missing.stderr).toMatch(/cannot read the script nope\.js: no such file/);
  });

  it("a test that times out exits 1, and says the action exists", async () => {
    const res = await cxda(
      "actions",
      "create",
      "--name",
      "looping",
      "--script",
      "loop.js",
      "--test-input",
      "null",
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("test TIMEOUT");
    expect(res.stderr).toContain("cxda actions test looping");
  });

  it("a name outside the action name pattern (the issue's literal `--name x`) exits 65 naming the rule", async () => {
    const res = await cxda("actions", "create", "--name", "x", "--script", "f.js", "--json");
    expect(res.code).toBe(65);
    expect(json(res)).toMatchObject({ error: { issues: [{ path: "name" }] } });
    expect(String((json(res).error as { message: string }).message)).toMatch(/minimum is 3/);
  });

  it("misuse exits 64", async () => {
    const res = await cxda("actions", "create", "--script", "f.js");
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/--name/);
  });
});

describe("cxda actions test", () => {
  it("runs by name with --input: exit 0 and the structured result", async () => {
    const res = await cxda("actions", "test", "cli_x", "--input", '{"a":9}', "--env", "dev", "--json");
    expect(res.code).toBe(0);
    expect(json(res)).toMatchObject({
      ok: true,
      action: { name: "cli_x" },
      result: { status: "SUCCESS", output: { a: 10 }, logs: ["got 9"] },
    });
  });

  it("exits 1 on FAILURE and shows the error and logs", async () => {
    const res = await cxda("actions", "test", "cli_x");
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("test FAILURE");
    expect(res.stdout).toMatch(/error\s+.*null/i);
  });

  it("an unknown environment is refused", async () => {
    const res = await cxda("actions", "test", "cli_x", "--env", "qa");
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/No environment with id "qa"/);
  });
});

describe("cxda actions validate (offline)", () => {
  it("accepts a good script with exit 0, without any server", async () => {
    const res = await runCxda(["actions", "validate", "--script", "f.js", "--name", "ok_name", "--json"], {
      cwd: dir,
      env: { CXDA_BASE_URL: "http://127.0.0.1:9" },
    });
    expect(res.code).toBe(0);
    expect(json(res)).toMatchObject({ ok: true, file: "f.js", name: "ok_name", bytes: 103 });
  });

  it("reports every problem with exit 65, the syntax error as file:line:column", async () => {
    const res = await runCxda(["actions", "validate", "--script", "bad.js"], { cwd: dir });
    expect(res.code).toBe(65);
    expect(res.stderr).toContain("bad.js:2:25: syntax error: Unexpected token");
    const names = await runCxda(
      [
        "actions",
        "validate",
        "--script",
        "f.js",
        "--name",
        "x",
        "--depends-on",
        "a b,ok_dep,ok_dep",
        "--json",
      ],
      { cwd: dir },
    );
    expect(names.code).toBe(65);
    const issues = (json(names).error as { issues: { path: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(["name", "dependencies[0]", "dependencies[2]"]);
  });
});
