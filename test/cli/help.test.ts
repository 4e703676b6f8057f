import { Writable } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
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

  it("covers every command of SPEC §12", () => {
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
