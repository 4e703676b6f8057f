import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { ENV } from "../../src/cli/env-vars.js";
import { EXIT } from "../../src/cli/exit-code-table.js";
import { buildProgram, runCli } from "../../src/cli/program.js";

function capture(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  let code = -1;
  await runCli(argv, { exit: (c) => (code = c), stdout: out.stream, stderr: err.stream, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}

function leaves(command: Command, path: string[] = []): string[][] {
  if (command.commands.length === 0) return [path];
  return command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

describe("cxda --help", async () => {
  const commands = leaves(await buildProgram({ exit: () => {} }));

  it("covers every command of docs/cli.md", () => {
    const names = commands.map((c) => c.join(" "));
    for (const expected of [
      "emulator start",
      "demo",
      "auth check",
      "actions create",
      "actions test",
      "actions validate",
      "headers set",
      "vars rotation-check",
      "vars global set",
      "overrides resolve",
      "drift",
      "builds trigger",
      "datetime compute",
      "validate",
      "plan",
      "apply",
      "export",
      "audit",
    ]) {
      expect(names).toContain(expected);
    }
  });

  it("shows examples on every command, with exit 0", async () => {
    for (const path of commands) {
      const { code, stdout } = await run([...path, "--help"]);
      expect(code, path.join(" ")).toBe(0);
      expect(stdout, path.join(" ")).toContain("Examples:");
    }
  });

  it("treats a group without its subcommand as misuse (64) and shows its usage", async () => {
    const { code, stderr } = await run(["vars"]);
    expect(code).toBe(64);
    expect(stderr).toContain("Usage: cxda vars");
  });
});

describe("cxda --help: exit codes and environment variables", () => {
  /** Every `CXDA_…` name the sources mention (placeholder prefixes such as CXDA_SECRET_ end in '_'). */
  function envNamesInSources(): string[] {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts"))
          for (const m of readFileSync(path, "utf8").matchAll(/\bCXDA_[A-Z0-9_]*[A-Z0-9]\b/g))
            names.add(m[0]);
      }
    };
    walk(resolve(import.meta.dirname, "../../src"));
    return [...names].sort();
  }

  it("lists every exit code and every environment variable the code reads", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    const codes = stdout.slice(stdout.indexOf("Exit codes:"), stdout.indexOf("Environment variables:"));
    for (const exit of Object.values(EXIT)) expect(codes).toMatch(new RegExp(`^ +${exit} `, "m"));
    const vars = stdout.slice(stdout.indexOf("Environment variables:"));
    const names = [...envNamesInSources(), ...Object.values(ENV), "CXDA_SECRET_*"];
    expect(names).toContain("CXDA_ACCESS_KEY_SECRET");
    for (const name of names) expect(vars, name).toContain(name);
    const docs = readFileSync(resolve(import.meta.dirname, "../../docs/cli.md"), "utf8");
    for (const name of names) expect(docs, `docs/cli.md lists ${name}`).toContain(name);
    for (const exit of Object.values(EXIT)) expect(docs).toMatch(new RegExp(`^\\| ${exit} \\|`, "m"));
  });
});
