/** Colour per stream, in a real pseudo-terminal (`script`) and through pipes. */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runCxda, scratchDir } from "../helpers/cli.js";

const ESC = "\x1b[";
const OK = "headers validate X-Source=cxda"; // ✔ on stdout
const BAD = "headers validate Host=example.com"; // error: on stderr

/** Runs a shell line in a pseudo-terminal; returns what the terminal showed. */
function inTerminal(dir: string, line: string, env: Record<string, string | undefined> = {}): string {
  const script = join(dir, "run.sh");
  writeFileSync(script, `${line}\n`);
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(CXDA_|NO_COLOR|FORCE_COLOR|CLICOLOR|CI$)/.test(k)) clean[k] = v;
  clean.TERM = "xterm-256color";
  clean.XDG_CONFIG_HOME = join(dir, ".config");
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete clean[k];
    else clean[k] = v;
  const run = spawnSync("script", ["-qfec", `sh ${script}`, "/dev/null"], {
    cwd: dir,
    env: clean,
    encoding: "utf8",
  });
  return run.stdout;
}

const cxda = (args: string) => `"${process.execPath}" "${CLI}" ${args}`;

describe("colour in a terminal", () => {
  it("colours stdout and stderr when both are the terminal", () => {
    const dir = scratchDir();
    expect(inTerminal(dir, cxda(OK))).toContain(`${ESC}32m✔`);
    expect(inTerminal(dir, cxda(BAD))).toContain(`${ESC}31merror:`);
  });

  it("decides per stream: a redirected stream is plain, the terminal keeps colour", () => {
    const dir = scratchDir();
    // stdout to a file, stderr on the terminal
    const shown = inTerminal(dir, `${cxda(BAD)} > out.txt; ${cxda(OK)} > ok.txt`);
    expect(shown).toContain(`${ESC}31merror:`);
    expect(readFileSync(join(dir, "ok.txt"), "utf8")).toContain("✔");
    expect(readFileSync(join(dir, "ok.txt"), "utf8")).not.toContain(ESC);
    // stderr to a file, stdout on the terminal
    const shown2 = inTerminal(dir, `${cxda(BAD)} 2> err.txt; ${cxda(OK)} 2> err2.txt`);
    expect(shown2).toContain(`${ESC}32m✔`);
    expect(readFileSync(join(dir, "err.txt"), "utf8")).toContain("error:");
    expect(readFileSync(join(dir, "err.txt"), "utf8")).not.toContain(ESC);
  });

  it("NO_COLOR, --no-color and TERM=dumb turn it off", () => {
    const dir = scratchDir();
    for (const [line, env] of [
      [cxda(OK), { NO_COLOR: "1" }],
      [cxda(`${OK} --no-color`), {}],
      [cxda(OK), { TERM: "dumb" }],
      [cxda(BAD), { NO_COLOR: "1" }],
      [cxda(BAD), { TERM: "dumb" }],
    ] as const) {
      const shown = inTerminal(dir, line, env);
      expect(shown, `${line} ${JSON.stringify(env)}`).toMatch(/✔|error:/);
      expect(shown, `${line} ${JSON.stringify(env)}`).not.toContain(ESC);
    }
  });
});

describe("colour through pipes", () => {
  it("is off by default and forced by FORCE_COLOR or CLICOLOR_FORCE (not by FORCE_COLOR=0)", async () => {
    const plain = { NO_COLOR: undefined, CI: undefined, FORCE_COLOR: undefined, CLICOLOR_FORCE: undefined };
    const args = OK.split(" ");
    const bad = BAD.split(" ");
    expect((await runCxda(args, { env: plain })).stdout).not.toContain(ESC);
    expect((await runCxda(bad, { env: plain })).stderr).not.toContain(ESC);
    for (const force of [{ FORCE_COLOR: "1" }, { CLICOLOR_FORCE: "1" }]) {
      expect((await runCxda(args, { env: { ...plain, ...force } })).stdout).toContain(`${ESC}32m✔`);
      expect((await runCxda(bad, { env: { ...plain, ...force } })).stderr).toContain(`${ESC}31merror:`);
    }
    expect((await runCxda(args, { env: { ...plain, FORCE_COLOR: "0" } })).stdout).not.toContain(ESC);
    expect((await runCxda(args, { env: { FORCE_COLOR: "1", NO_COLOR: "1" } })).stdout).not.toContain(ESC);
  });
});
