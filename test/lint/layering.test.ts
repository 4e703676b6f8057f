/**
 * The layering rules in biome.json bite: the repository's own configuration is run over a small tree of
 * files that break (and keep) each rule, and biome must report exactly the breaking imports.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIOME = join(ROOT, "node_modules/.bin/biome");

/** Fixture files, path → source. Each breaking import is on the line named in EXPECTED. */
const FILES: Record<string, string> = {
  "src/errors.ts": "export class ValidationError extends Error {}\n",
  "src/domain/rule.ts": [
    'import { ValidationError } from "../errors.js";',
    'import { helper } from "./helper.js";',
    "export const rule = () => [ValidationError, helper];",
    "",
  ].join("\n"),
  "src/domain/helper.ts": "export const helper = 1;\n",
  "src/domain/reaches-out.ts": [
    'import { request } from "../client/transport.js";',
    'import { store } from "../../src/emulator/store/store.js";',
    "export const x = [request, store];",
    "",
  ].join("\n"),
  "src/client/uses-emulator.ts": [
    'import { helper } from "../domain/helper.js";',
    'import { store } from "../emulator/store/store.js";',
    "export const x = [helper, store];",
    "",
  ].join("\n"),
  "src/emulator/handlers/uses-client.ts": [
    'import { rule } from "../../domain/rule.js";',
    'import { request } from "../../client/transport.js";',
    "export const x = [rule, request];",
    "",
  ].join("\n"),
  "src/project/uses-cli.ts": [
    'import { request } from "../client/transport.js";',
    'export { render } from "../cli/ui/render.js";',
    'export const later = () => import("../cli/ui/render.js");',
    "export const x = request;",
    "",
  ].join("\n"),
  "src/index.ts": "export const sdk = 1;\n",
  "src/console/server.ts": [
    'import { sdk } from "../index.js";',
    'import { diffEnvironments } from "../domain/drift.js";',
    'import { readLiveState } from "../project/read-live-state.js";',
    'import { page } from "./page.js";',
    "export const x = [sdk, diffEnvironments, readLiveState, page];",
    "",
  ].join("\n"),
  "src/console/page.ts": "export const page = 1;\n",
  "src/workflows/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
  "src/workflows/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
};

/** The diagnostics biome must give: "path:line rule". */
const EXPECTED = [
  "src/client/uses-emulator.ts:2 lint/style/noRestrictedImports",
  "src/console/server.ts:2 lint/style/noRestrictedImports",
  "src/console/server.ts:3 lint/style/noRestrictedImports",
  "src/domain/reaches-out.ts:1 lint/style/noRestrictedImports",
  "src/domain/reaches-out.ts:2 lint/style/noRestrictedImports",
  "src/emulator/handlers/uses-client.ts:2 lint/style/noRestrictedImports",
  "src/project/uses-cli.ts:2 lint/style/noRestrictedImports",
  "src/project/uses-cli.ts:3 lint/style/noRestrictedImports",
  "src/workflows/a.ts:1 lint/suspicious/noImportCycles",
  "src/workflows/b.ts:1 lint/suspicious/noImportCycles",
];

interface Diagnostic {
  category: string;
  location: { path: string; start: { line: number } };
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cxda-layering-"));
  const config = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")) as Record<string, unknown>;
  delete config.$schema;
  writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
  for (const [path, source] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("layering rules in biome.json", () => {
  it("reports every import across a forbidden layer boundary and every import cycle, and nothing else", () => {
    const run = spawnSync(BIOME, ["lint", "--reporter=json", "--max-diagnostics=none", "."], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] };
    const found = report.diagnostics
      .map((d) => `${d.location.path}:${d.location.start.line} ${d.category}`)
      .sort();
    expect(found).toEqual(EXPECTED);
  });

  it("names the rule's folder and where the layers are drawn in the message", () => {
    const run = spawnSync(BIOME, ["lint", "src/domain/reaches-out.ts"], { cwd: dir, encoding: "utf8" });
    expect(run.stdout + run.stderr).toContain("src/domain/ holds the pure rules");
    expect(run.stdout + run.stderr).toContain("README.md, Development");
  });
});
