// `npm run build` runs this after tsc: bundles the CLI with esbuild. Its entry, src/cli/bin.cts, becomes
// dist/cli/bin.cjs (CommonJS, with the version: it answers --version and --help itself); the program,
// src/cli/program.ts, which bin.cjs imports for any other command line, becomes dist/cli/program.js
// and its chunks, dist/cli/chunks/. Each lazily imported module (a command's declarations, its handler)
// stays in chunks of its own, so a command still loads only what it needs, in 40 files instead of 370:
// whole-process CPU of `cxda validate` on the example 0.71×, of `cxda plan --help` 0.77× the unbundled
// build's (bench B5, 2026-12-03). Pure-JavaScript packages are bundled; native, WebAssembly and
// worker-thread ones stay imports. dist/cli/bundle-meta.json (esbuild's metafiles) names the modules in
// each output file (test/cli/lazy-loading.test.ts reads it).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

/** Bundled: every package a short command can load; zod-openapi with zod, so that there is one zod. */
const BUNDLED = [
  "zod",
  "zod-openapi",
  "yaml",
  "commander",
  "picocolors",
  "temporal-polyfill",
  "acorn",
  "diff",
];

const { dependencies, optionalDependencies } = JSON.parse(readFileSync("package.json", "utf8"));
const external = Object.keys({ ...dependencies, ...optionalDependencies })
  .filter((name) => !BUNDLED.includes(name))
  .flatMap((name) => [name, `${name}/*`]);

// The help texts of an older build would no longer be the program's (scripts/write-help-texts.mjs).
// dist/cli/bin.js was the entry before bin.cjs: removed, so that nothing runs an older build's.
for (const stale of ["dist/cli/chunks", "dist/cli/help", "dist/cli/root-help.txt", "dist/cli/bin.js"])
  rmSync(stale, { recursive: true, force: true });
const program = await build({
  entryPoints: { program: "src/cli/program.ts" },
  outdir: "dist/cli",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  // Where a --verbose error prints its stack (bin.ts turns source maps on for it).
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
  // CommonJS packages (yaml, commander) bundled into ES modules call `require` for Node's own modules.
  banner: {
    js: 'import { createRequire as __cxdaRequire } from "node:module";\nconst require = __cxdaRequire(import.meta.url);',
  },
});
const bin = await build({
  entryPoints: ["src/cli/bin.cts"],
  outfile: "dist/cli/bin.cjs",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["./program.js"],
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
});
writeFileSync(
  "dist/cli/bundle-meta.json",
  JSON.stringify({
    inputs: { ...program.metafile.inputs, ...bin.metafile.inputs },
    outputs: { ...program.metafile.outputs, ...bin.metafile.outputs },
  }),
);
