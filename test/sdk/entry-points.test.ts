/**
 * The package's entry points, as a user imports them: the built dist through the `exports` map (a
 * self-reference import of "cxda" run in the repository), each in a fresh Node process. Importing the
 * SDK must not load the emulator's server (fastify) or its native SQLite module (better-sqlite3).
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

interface Loaded {
  exports: string[];
  fastify: boolean;
  sqlite: boolean;
}

/** Imports `specifier` in a child process; reports its exports and which heavy packages got loaded. */
function importInChild(specifier: string): Loaded {
  const script = `
    import { createRequire } from "node:module";
    const mod = await import(${JSON.stringify(specifier)});
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const natives = process.report.getReport().sharedObjects;
    console.log(JSON.stringify({
      exports: Object.keys(mod).sort(),
      fastify: loaded.some((f) => /[\\\\/]node_modules[\\\\/]fastify[\\\\/]/.test(f)),
      sqlite:
        loaded.some((f) => /[\\\\/]node_modules[\\\\/]better-sqlite3[\\\\/]/.test(f)) ||
        natives.some((f) => /better_sqlite3\\.node$/.test(f)),
    }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Loaded;
}

describe("package entry points", () => {
  it('"cxda" gives the SDK, the validators and the errors, and loads neither fastify nor better-sqlite3', () => {
    const root = importInChild("cxda");
    expect(root.fastify).toBe(false);
    expect(root.sqlite).toBe(false);
    for (const name of [
      "createClient",
      "validateHeaders",
      "validateActionPayload",
      "checkScriptSyntax",
      "findDependencyCycles",
      "validateVariables",
      "validateOverrides",
      "computeDateTime",
      "diffEnvironments",
      "ValidationError",
      "ConflictError",
      "startEmulator",
    ])
      expect(root.exports).toContain(name);
    // Declarative projects live in their own entry point.
    expect(root.exports).not.toContain("validateProject");
    expect(root.exports).not.toContain("computePlan");
  });

  it('"cxda/emulator" gives startEmulator (and does load the server: the check above can fail)', () => {
    const emulator = importInChild("cxda/emulator");
    expect(emulator.exports).toEqual([
      "DEMO_CLIENT_ID",
      "DEMO_CLIENT_SECRET",
      "DEMO_TENANT_ID",
      "responseObservers",
      "startEmulator",
    ]);
    expect(emulator.fastify).toBe(true);
    expect(emulator.sqlite).toBe(true);
  });

  it('"cxda/project" gives validate, plan, apply and export without the emulator', () => {
    const project = importInChild("cxda/project");
    for (const name of ["validateProject", "loadProject", "computePlan", "applyPlan", "exportProject"])
      expect(project.exports).toContain(name);
    expect(project.fastify).toBe(false);
    expect(project.sqlite).toBe(false);
  });
});
