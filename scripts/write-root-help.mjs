// `npm run build` runs this last: writes dist/cli/root-help.txt, the text `cxda --help` prints to an
// output that is not a terminal (commander's 80 columns), so that bin.js can print it without loading
// the command tree. It runs the built CLI itself, with the old file removed, so the text is the program's.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const out = resolve("dist/cli/root-help.txt");
rmSync(out, { force: true });
const run = spawnSync(process.execPath, [resolve("dist/cli/bin.js"), "--help"], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
});
if (run.status !== 0 || run.stdout === "") {
  console.error(`cxda --help failed (exit ${run.status}): ${run.stderr}`);
  process.exit(1);
}
writeFileSync(out, run.stdout);
