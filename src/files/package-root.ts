/**
 * Paths inside the cxda package, found from its root (the nearest directory above this module holding a
 * package.json) rather than from a module's own location: the same whether the module runs from src/,
 * from dist/ as tsc writes it, or from the CLI bundle's chunks (dist/cli/chunks/, scripts/bundle-cli.mjs).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

let root: string | undefined;

function packageRoot(): string {
  if (root === undefined) {
    let dir = import.meta.dirname;
    while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return root;
}

/** `packageFile("examples", "contact-center", "cxda.yaml")`: that file's absolute path in this installation. */
export function packageFile(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
