import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCxda } from "../helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SCRIPT = join(ROOT, "scripts/write-build-info.mjs");

describe("cxda version", () => {
  it("prints the version, the commit dist/ was built from, Node, the platform and the API version", async () => {
    const r = await runCxda(["version", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const v = json(r);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const built = JSON.parse(readFileSync(join(ROOT, "dist/build-info.json"), "utf8")) as { commit: string };
    expect(v).toMatchObject({
      schemaVersion: 1,
      version: pkg.version,
      commit: built.commit,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      apiVersion: "v2",
    });
    const human = await runCxda(["version"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`cxda      ${pkg.version}`);
    expect(human.stdout).toContain(built.commit);
    expect(human.stdout).toContain("/api/v2");
  });

  it("the build records the git commit, and 'unknown' outside git", () => {
    const out = join(mkdtempSync(join(tmpdir(), "cxda-build-info-")), "build-info.json");
    execFileSync(process.execPath, [SCRIPT, out], { cwd: ROOT });
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ commit: head });

    const outside = mkdtempSync(join(tmpdir(), "cxda-no-git-"));
    execFileSync(process.execPath, [SCRIPT, "info.json"], {
      cwd: outside,
      env: { ...process.env, GIT_CEILING_DIRECTORIES: tmpdir() },
    });
    expect(JSON.parse(readFileSync(join(outside, "info.json"), "utf8"))).toEqual({ commit: "unknown" });
  });
});
