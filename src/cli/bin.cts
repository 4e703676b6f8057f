#!/usr/bin/env node
// A CommonJS file, bundled with version.ts into dist/cli/bin.cjs (scripts/bundle-cli.mjs): Node 20 runs an
// ES module entry through its ES module loader, which alone costs about 9 % of `node -e 0`; a CommonJS
// entry does not, and --version and --help never load that loader (bench B5, whole-process CPU against
// `node -e 0`, 30 interleaved runs, 2026-12-03: `--version` 1.18× → 1.06×, `--help` 1.19× → 1.03×,
// `plan --help` 1.17× → 1.03×). The program (dist/cli/program.js) is an ES module bundle, imported only
// for the other command lines.
import fs = require("node:fs");
import path = require("node:path");
import version = require("./version.js");

// A reader that stops early (`cxda actions list | head -1`) closes the pipe: drop the rest of the
// output and let the command finish quietly, as `gh` and `kubectl` do, instead of dying on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
    stream.write = (() => true) as typeof stream.write;
  });
}

/**
 * `cxda [command …] --help`, to an output that is not a terminal: the text the build wrote from the
 * program itself (scripts/write-help-texts.mjs; commander's 80 columns). A terminal gets the program's
 * help, wrapped to its width; any other flag, or a missing file, means the program answers.
 */
function prebuiltHelp(argv: string[]): string | undefined {
  const last = argv.at(-1);
  if ((last !== "--help" && last !== "-h") || process.stdout.isTTY) return undefined;
  const words = argv.slice(0, -1);
  if (!words.every((token) => /^[a-z][a-z0-9-]*$/.test(token))) return undefined;
  try {
    return fs.readFileSync(path.join(__dirname, "help", `${["cxda", ...words].join(".")}.txt`), "utf8");
  } catch {
    return undefined;
  }
}

const argv = process.argv.slice(2);
// The CLI runs as a bundle (scripts/bundle-cli.mjs): a stack printed by --verbose names the source
// files through the source maps, read only then (reading them costs start-up time).
if (argv.includes("--verbose") || argv.includes("-v")) process.setSourceMapsEnabled(true);
const help = prebuiltHelp(argv);
// `cxda --version`, and `cxda [command …] --help` to a pipe or file, are answered before the command
// tree (commander, zod and the command's declarations) loads: bench B5, whole-process CPU of `--help`
// 1.43× → about 1.15× `node -e 0`, of `plan --help` 1.99× → 1.19× (31 pairs, 2026-12-03).
// Any other command line goes through the program.
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V"))
  process.stdout.write(`${version.VERSION}\n`);
else if (help !== undefined) process.stdout.write(help);
else
  import("./program.js")
    .then(({ runCli }) =>
      runCli(argv, {
        exit(code) {
          process.exitCode = code;
        },
      }),
    )
    .catch((error: unknown) => {
      process.stderr.write(
        `cxda: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    });
