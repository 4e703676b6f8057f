// `npm start` runs this first: build dist/ (tsc, then the CLI bundle) when it is missing or older than any source file.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const marker = "dist/cli/bin.cjs";
const stale = !existsSync(marker) || newest("src") > statSync(marker).mtimeMs;
if (stale) {
  process.stderr.write("Building cxda (tsc)…\n");
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
  execFileSync(process.execPath, ["scripts/write-build-info.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/copy-console-app.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/bundle-cli.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/write-help-texts.mjs"], { stdio: "inherit" });
}
