/**
 * The files the console serves besides its API: the app (plain ES modules, HTML and CSS from app/,
 * beside this module in src/ and dist/) and the libraries it uses, vendored from node_modules at start
 * (Preact and its hooks, htm, dagre), so the page loads nothing from anywhere else. All are read once,
 * into memory; only these paths exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface StaticFile {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
};

// Beside this module in src/ and dist/; seen from the CLI bundle's chunks (dist/cli/chunks/), dist/console/app.
const APP_DIR = [join(import.meta.dirname, "app"), join(import.meta.dirname, "../../console/app")].find(
  (dir) => existsSync(dir),
)!;

/** Module files of the vendored packages: the ESM build next to the one `require` resolves. */
const VENDOR: { path: string; pkg: string; file: string; rewrite?: (code: string) => string }[] = [
  { path: "/vendor/preact.js", pkg: "preact", file: "preact.mjs" },
  {
    path: "/vendor/hooks.js",
    pkg: "preact/hooks",
    file: "hooks.mjs",
    // The hooks import Preact by its bare name, which a browser without an import map cannot resolve.
    rewrite: (code) => code.replace(/from\s*"preact"/g, 'from"./preact.js"'),
  },
  { path: "/vendor/htm.js", pkg: "htm", file: "htm.mjs" },
  { path: "/vendor/dagre.js", pkg: "@dagrejs/dagre", file: "dagre.esm.js" },
];

function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? "" : name.slice(dot);
}

export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else {
        const type = TYPES[extension(entry.name)];
        if (type !== undefined)
          files.set(`/app/${prefix}${entry.name}`, { type, body: readFileSync(join(dir, entry.name)) });
      }
    }
  };
  walk(APP_DIR, "");
  const require = createRequire(import.meta.url);
  for (const v of VENDOR) {
    const code = readFileSync(join(dirname(require.resolve(v.pkg)), v.file), "utf8");
    // Source maps are not shipped with them: a reference to one would only be a 404.
    const shipped = (v.rewrite ? v.rewrite(code) : code).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
    files.set(v.path, { type: TYPES[".js"]!, body: Buffer.from(shipped) });
  }
  return files;
}
