/**
 * Comments, help texts, error messages and documents point to files a reader can open (docs/, README.md),
 * never to sections of a specification or to seed projects that are not in this repository.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SELF = relative(ROOT, import.meta.filename);
const SCANNED = ["src", "docs", "examples", "test", "README.md"];
const UNOPENABLE = /SPEC §|seed \d/i;

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

/** `file:line: text` for every line that names a specification section or a seed. */
function references(): string[] {
  return SCANNED.flatMap((top) => filesUnder(join(ROOT, top)))
    .map((file) => relative(ROOT, file))
    .filter((file) => file !== SELF)
    .flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (UNOPENABLE.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
}

describe("references a reader can open", () => {
  it("the pattern finds both kinds of reference", () => {
    expect(
      ["see SPEC §4.2", "as Seed 004 did", "seed 12's loop", "a seeded PRNG", "SPEC.md"].map((t) =>
        UNOPENABLE.test(t),
      ),
    ).toEqual([true, true, true, false, false]);
  });

  it("src/, docs/, examples/, test/ and README.md hold none", () => {
    expect(references()).toEqual([]);
  });
});
