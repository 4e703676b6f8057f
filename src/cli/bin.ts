#!/usr/bin/env node
import { runCli } from "./program.js";

// A reader that stops early (`cxda actions list | head -1`) closes the pipe: drop the rest of the
// output and let the command finish quietly, as `gh` and `kubectl` do, instead of dying on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
    stream.write = (() => true) as typeof stream.write;
  });
}

runCli(process.argv.slice(2), {
  exit(code) {
    process.exitCode = code;
  },
}).catch((error: unknown) => {
  process.stderr.write(`cxda: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
