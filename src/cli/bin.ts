#!/usr/bin/env node
import { runCli } from "./program.js";

runCli(process.argv.slice(2), {
  exit(code) {
    process.exitCode = code;
  },
}).catch((error: unknown) => {
  process.stderr.write(`cxda: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
