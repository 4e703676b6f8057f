import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { CLI, scratchDir } from "../helpers/cli.js";

const HOOK = resolve(import.meta.dirname, "../helpers/log-imports.mjs");
const ROOT = resolve(import.meta.dirname, "../..");

/** esbuild's metafile of the CLI bundle (scripts/bundle-cli.mjs): the source modules in each output file. */
interface BundleMeta {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
const META = JSON.parse(readFileSync(join(ROOT, "dist/cli/bundle-meta.json"), "utf8")) as BundleMeta;

/**
 * The project modules (named as tsc would compile them: `cli/bin.cjs`, `cli/version.js`) and packages
 * (node_modules/<name>) a CLI run loads: the files the process opened, each bundle file read as the
 * modules bundled into it. A chunk holds exactly the modules shared by the same lazily imported entries,
 * so this is the set the run's imports reach, as it was before bundling.
 */
function loaded(args: string[]): { files: string[]; packages: string[] } {
  const cwd = scratchDir();
  const log = join(cwd, "imports.log");
  const run = spawnSync(process.execPath, ["--import", HOOK, CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", IMPORT_LOG: log },
  });
  expect(run.status, run.stderr).toBe(0);
  const paths = readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("file:"))
    .map((u) => relative(ROOT, fileURLToPath(u)).split(sep).join("/"));
  const modules = paths.flatMap((p) => Object.keys(META.outputs[p]?.inputs ?? { [p]: true }));
  const files = new Set<string>();
  const packages = new Set<string>();
  for (const m of modules) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1];
    if (pkg) packages.add(pkg.split("/")[0]!);
    else if (m.startsWith("src/")) files.add(m.slice(4).replace(/\.(c?)ts$/, ".$1js"));
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe("lazy loading of commands", () => {
  it("--version alone loads no package and no command: the version module only", () => {
    for (const flag of ["--version", "-V"]) {
      const { files, packages } = loaded([flag]);
      expect(packages, flag).toEqual([]);
      expect(files, flag).toEqual(["cli/bin.cjs", "cli/version.js"]);
    }
  });

  it("the package's bin is the CommonJS entry the tests run", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(resolve(ROOT, pkg.bin.cxda)).toBe(CLI);
    expect(CLI.endsWith(".cjs")).toBe(true);
  });

  it("--version answered early prints what the program prints, the package's version", async () => {
    const early = spawnSync(process.execPath, [CLI, "--version"], { encoding: "utf8" });
    const late = spawnSync(process.execPath, [CLI, "--no-color", "--version"], { encoding: "utf8" });
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8"));
    expect(early.status).toBe(0);
    expect(early.stdout).toBe(`${pkg.version}\n`);
    expect(late.stdout).toBe(early.stdout);
  });

  it("--help, alone or after a command, to a pipe, loads no package and no command: the text the build wrote", () => {
    for (const args of ["--help", "-h", "plan --help", "actions create -h", "vars global --help"]) {
      const { files, packages } = loaded(args.split(" "));
      expect(packages, args).toEqual([]);
      expect(files, args).toEqual(["cli/bin.cjs", "cli/version.js"]);
    }
  });

  it("--help answered early prints what the program prints", () => {
    for (const [command, usage] of [
      ["", "Usage: cxda [options] [command]"],
      ["plan", "Usage: cxda plan [options]"],
      ["actions", "Usage: cxda actions [options] [command]"],
      ["actions create", "Usage: cxda actions create [options]"],
    ] as const) {
      const path = command === "" ? [] : command.split(" ");
      const early = spawnSync(process.execPath, [CLI, ...path, "--help"], { encoding: "utf8" });
      // A global flag first: the program itself answers.
      const late = spawnSync(process.execPath, [CLI, "--no-color", ...path, "--help"], { encoding: "utf8" });
      expect(early.status, command).toBe(0);
      expect(early.stdout, command).toContain(usage);
      expect(early.stdout, command).toBe(late.stdout);
    }
  });

  it("the build wrote the help of every command", async () => {
    const paths: string[] = ["cxda"];
    const walk = (command: Command, prefix: string) => {
      for (const sub of command.commands) {
        paths.push(`${prefix}.${sub.name()}`);
        walk(sub, `${prefix}.${sub.name()}`);
      }
    };
    walk(await buildProgram({ exit: () => {} }), "cxda");
    const written = readdirSync(join(ROOT, "dist/cli/help")).map((f) => f.replace(/\.txt$/, ""));
    expect(written.sort()).toEqual(paths.sort());
  });

  it("--help after something that is not a command goes to the program", () => {
    const run = spawnSync(process.execPath, [CLI, "plan", "nonsense", "--help"], { encoding: "utf8" });
    const help = spawnSync(process.execPath, [CLI, "plan", "--help"], { encoding: "utf8" });
    expect(run.stdout).toBe(help.stdout);
    expect(loaded(["plan", "nonsense", "--help"]).packages).toEqual(["commander", "zod"]);
  });

  it("--help and --version with other flags load commander and the command index only", () => {
    for (const flag of ["--no-color --help", "--json --version"]) {
      const { files, packages } = loaded(flag.split(" "));
      expect(packages, flag).toEqual(["commander"]);
      // Plus the two data-only tables the top-level help lists (exit codes, environment variables).
      expect(files, flag).toEqual([
        "cli/bin.cjs",
        "cli/commands/index.js",
        "cli/env-vars.js",
        "cli/exit-code-table.js",
        "cli/program.js",
        "cli/version.js",
      ]);
    }
  });

  it("the console (its server, Preact, htm, dagre) is loaded by no other command", () => {
    for (const args of [
      ["version"],
      ["--no-color", "console", "--help"],
      ["--no-color", "actions", "validate", "--help"],
    ]) {
      const { files, packages } = loaded(args);
      expect(
        files.filter((f) => f.startsWith("console/")),
        args.join(" "),
      ).toEqual([]);
      for (const pkg of ["preact", "htm", "@dagrejs", "playwright-core"])
        expect(packages, args.join(" ")).not.toContain(pkg);
    }
  });

  it("jq is loaded only when --jq is given", () => {
    expect(loaded(["version", "--json"]).packages).not.toContain("jq-wasm");
    expect(loaded(["version", "--jq", ".node"]).packages).toContain("jq-wasm");
  });

  it("a command's --help answered by the program loads its declarations but not its handler", () => {
    const { files, packages } = loaded(["--no-color", "actions", "create", "--help"]);
    expect(packages).toEqual(["commander", "zod"]);
    expect(files).toContain("cli/commands/actions/index.js");
    // Only the command layer and the error classes it throws: no workflow, client or project code.
    expect(files.filter((f) => !f.startsWith("cli/"))).toEqual(["errors.js"]);
    expect(files).not.toContain("cli/commands/actions/create.js");
    expect(
      files.some(
        (f) =>
          f.startsWith("cli/commands/") &&
          !f.startsWith("cli/commands/actions/") &&
          f !== "cli/commands/index.js",
      ),
    ).toBe(false);
  });

  it("plan --help and validate load no emulator, server, database, sandbox or HTTP client", () => {
    const example = join(ROOT, "examples/contact-center/cxda.yaml");
    const heavy = [
      "fastify",
      "better-sqlite3",
      "@jitl",
      "quickjs-emscripten-core",
      "undici",
      "pino",
      "jq-wasm",
    ];
    for (const args of [
      ["--no-color", "plan", "--help"],
      ["validate", "-f", example],
    ]) {
      const { files, packages } = loaded(args);
      for (const pkg of heavy) expect(packages, args.join(" ")).not.toContain(pkg);
      expect(
        files.filter((f) => /^(emulator|console|client|workflows|demo)\//.test(f)),
        args.join(" "),
      ).toEqual([]);
    }
    // The script syntax check (acorn) and date arithmetic (Temporal) only where a project is checked.
    expect(loaded(["--no-color", "plan", "--help"]).packages).toEqual(["commander", "zod"]);
    expect(loaded(["validate", "-f", example]).packages).toEqual(
      expect.arrayContaining(["acorn", "temporal-polyfill", "yaml", "zod"]),
    );
  });
});
