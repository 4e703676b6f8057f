import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAction, getToken, scriptAction, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { CLI, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  await createAction(emulator, await getToken(emulator), scriptAction("completion_target"));
});
afterAll(() => emulator.close());

const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;

async function script(shell: string): Promise<string> {
  const r = await runCxda(["completion", shell]);
  expect(r.code, r.stderr).toBe(0);
  const file = join(scratchDir(), `cxda.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

/** What bash offers after `words` (the last one being completed); `cxda` on the PATH is the built CLI. */
function complete(file: string, words: string[], env: Record<string, string> = {}): string[] {
  const bin = join(scratchDir(), "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "cxda"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, "cxda"), 0o755);
  const line = words.map((w) => `'${w}'`).join(" ");
  const run = spawnSync(
    "bash",
    [
      "-c",
      `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _cxda; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env } },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split("\n").filter(Boolean);
}

/** `complete`, without blocking: the emulator that `cxda actions list` asks runs in this process. */
function completeAsync(file: string, words: string[], env: Record<string, string>): Promise<string[]> {
  const bin = join(scratchDir(), "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "cxda"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, "cxda"), 0o755);
  const line = words.map((w) => `'${w}'`).join(" ");
  const shell = `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _cxda; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return new Promise((done, fail) => {
    const child = spawn("bash", ["-c", shell], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", fail);
    child.on("close", () => done(out.split("\n").filter(Boolean)));
  });
}

describe("cxda completion", () => {
  it("bash: the script parses and completes commands, subcommands and flags", async () => {
    const file = await script("bash");
    const check = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    expect(complete(file, ["cxda", "act"])).toEqual(["actions"]);
    expect(complete(file, ["cxda", "environments", ""])).toContain("list");
    expect(complete(file, ["cxda", "actions", "cr"])).toEqual(["create"]);
    expect(complete(file, ["cxda", "actions", "create", "--dr"])).toEqual(["--dry-run"]);
    expect(complete(file, ["cxda", "--json", "vars", "global", "s"])).toEqual(["set"]);
    expect(complete(file, ["cxda", "headers", "replace", "x", "--f"])).toEqual(["--file"]);
    expect(complete(file, ["cxda", "plan", "--base"])).toEqual(["--base-url"]);
  });

  it("bash: completes action names where a command takes an action, from the configured tenant", async () => {
    const file = await script("bash");
    const env = { CXDA_BASE_URL: emulator.url };
    expect(await completeAsync(file, ["cxda", "actions", "get", "completion_t"], env)).toEqual([
      "completion_target",
    ]);
    expect(await completeAsync(file, ["cxda", "headers", "set", "compl"], env)).toEqual([
      "completion_target",
    ]);
    expect(await completeAsync(file, ["cxda", "environments", "li"], env)).toEqual(["list"]);
  });

  it.skipIf(!has("zsh"))("zsh: the script parses (zsh -n)", async () => {
    const check = spawnSync("zsh", ["-n", await script("zsh")], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  });

  it.skipIf(!has("fish"))("fish: the script parses (fish -n)", async () => {
    const check = spawnSync("fish", ["-n", await script("fish")], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  });

  it("fish: completes subcommands under their group and flags under their command", async () => {
    const r = await runCxda(["completion", "fish"]);
    expect(r.stdout).toContain("complete -c cxda -n '__fish_use_subcommand' -a actions");
    expect(r.stdout).toMatch(
      /complete -c cxda -n '__fish_seen_subcommand_from actions; and not __fish_seen_subcommand_from [^']*' -a create/,
    );
    expect(r.stdout).toContain(
      "complete -c cxda -n '__fish_seen_subcommand_from actions; and __fish_seen_subcommand_from create' -l dry-run",
    );
  });

  it("zsh: loads the bash completion through bashcompinit", async () => {
    const r = await runCxda(["completion", "zsh"]);
    expect(r.stdout).toContain("bashcompinit");
    expect(r.stdout).toContain("complete -o default -F _cxda cxda");
  });
});
