// `npm run build` runs this after tsc: records the git commit dist/ was built from in
// dist/build-info.json (read by `cxda version`); "unknown" when the sources are not in a git checkout.
// Usage: node scripts/write-build-info.mjs [OUT_FILE] (default dist/build-info.json, from the cwd).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

function git(args) {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

const out = resolve(process.argv[2] ?? "dist/build-info.json");
const commit = git(["rev-parse", "HEAD"]);
const info = { commit: commit && /^[0-9a-f]{40}$/.test(commit) ? commit : "unknown" };
if (info.commit !== "unknown")
  info.dirty = (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "";
let version;
try {
  version = JSON.parse(readFileSync("package.json", "utf8")).version;
} catch {}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ ...(version ? { version } : {}), ...info }, null, 2)}\n`);
