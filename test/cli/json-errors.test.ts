/**
 * With --json (or --output json|yaml, or --jq), every failure is one JSON shape on stdout:
 * `{schemaVersion, error: {code, message, exitCode, issues?, status?, requestId?}}`, the exit code
 * the same as without --json (issue 16).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
useTestEmulator(
  {},
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

let dir: string;
beforeAll(() => {
  dir = scratchDir();
  writeFileSync(join(dir, "bad.js"), "function main(context) {\n  return context.input +;\n}\n");
  writeFileSync(join(dir, "vars.yaml"), "- {name: x, type: number, value: nope}\n");
  writeFileSync(join(dir, "cxda.yaml"), "apiVersion: cxda/v1\nactions: [\n");
});

const ERROR_KEYS = ["code", "message", "exitCode", "issues", "status", "requestId"];

interface Case {
  what: string;
  args: (url: string) => string[];
  exit: number;
  code?: string;
  env?: Record<string, string>;
  issues?: boolean;
}

const CASES: Case[] = [
  { what: "an unknown flag", args: () => ["actions", "list", "--bogus"], exit: 64, code: "usage" },
  { what: "a missing argument", args: () => ["actions", "get"], exit: 64, code: "usage" },
  { what: "a group without its subcommand", args: () => ["actions"], exit: 64, code: "usage" },
  {
    what: "a delete without --yes off a terminal",
    args: (u) => ["actions", "delete", "x", "--base-url", u],
    exit: 64,
    code: "usage",
  },
  {
    what: "a script that does not parse",
    args: () => ["actions", "validate", "--script", "bad.js"],
    exit: 65,
    issues: true,
  },
  {
    what: "a variables file breaking a rule",
    args: () => ["vars", "validate", "-f", "vars.yaml"],
    exit: 65,
    issues: true,
  },
  { what: "a project file that is not YAML", args: (u) => ["plan", "--base-url", u], exit: 65 },
  {
    what: "an unsupported base URL scheme",
    args: () => ["actions", "list", "--base-url", "ftp://x"],
    exit: 65,
  },
  {
    what: "an action that does not exist",
    args: (u) => ["actions", "get", "no_such_one", "--base-url", u],
    exit: 1,
    code: "not-found",
  },
  {
    what: "a refused client",
    args: (u) => ["auth", "check", "--base-url", u],
    env: { CXDA_CLIENT_ID: "cxda-demo", CXDA_CLIENT_SECRET: "wrong-secret-value-1" },
    exit: 77,
    code: "invalid_client",
  },
  {
    what: "nothing listening",
    args: () => ["actions", "list", "--base-url", "http://127.0.0.1:9"],
    exit: 69,
    code: "network-error",
  },
];

describe("one JSON error shape", () => {
  for (const c of CASES)
    it.each(["--json", "--output=json"])(`${c.what} (%s)`, async (flag) => {
      const r = await runCxda([...c.args(emulator.url), flag], {
        cwd: dir,
        ...(c.env ? { env: c.env } : {}),
      });
      expect(r.code, r.stdout + r.stderr).toBe(c.exit);
      const body = JSON.parse(r.stdout) as { schemaVersion: number; error: Record<string, unknown> };
      expect(Object.keys(body).sort()).toEqual(["error", "schemaVersion"]);
      expect(body.schemaVersion).toBe(1);
      for (const key of Object.keys(body.error)) expect(ERROR_KEYS).toContain(key);
      expect(body.error.exitCode).toBe(c.exit);
      expect(typeof body.error.code).toBe("string");
      expect(body.error.code).not.toBe("");
      if (c.code !== undefined) expect(body.error.code).toBe(c.code);
      expect(typeof body.error.message).toBe("string");
      expect(body.error.message).not.toMatch(/^error: /);
      if (c.issues) {
        const issues = body.error.issues as {
          path: string;
          message: string;
          line?: number;
          column?: number;
        }[];
        expect(issues.length).toBeGreaterThan(0);
        expect(issues[0]!.line).toBeGreaterThan(0);
        expect(issues[0]!.column).toBeGreaterThan(0);
      }
      expect(r.stdout + r.stderr).not.toContain("wrong-secret-value-1");
    });

  it("--jq does not filter an error, and --output yaml still gives the JSON error", async () => {
    const jq = await runCxda([
      "actions",
      "get",
      "nope_nope",
      "--jq",
      ".action.name",
      "--base-url",
      emulator.url,
    ]);
    expect(jq.code).toBe(1);
    expect(JSON.parse(jq.stdout).error.code).toBe("not-found");
    const yaml = await runCxda(["actions", "list", "--bogus", "--output", "yaml"]);
    expect(yaml.code).toBe(64);
    expect(JSON.parse(yaml.stdout).error).toMatchObject({ code: "usage", exitCode: 64 });
  });

  it("without --json the same failure is text on stderr and nothing on stdout", async () => {
    const r = await runCxda(["actions", "list", "--bogus"]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("unknown option '--bogus'");
  });
});
