/** Error reports (issue 16, bug 8): each thing is said once. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCxda, scratchDir } from "../helpers/cli.js";

const count = (text: string, part: string) => text.split(part).length - 1;

describe("an error is said once", () => {
  const dir = scratchDir();
  writeFileSync(join(dir, "good.js"), "function main(context) {\n  return 1;\n}\n");
  writeFileSync(join(dir, "bad.js"), "function main(context) {\n  return (\n}\n");
  const base = ["--base-url", "http://127.0.0.1:9"];

  it.each([
    [
      "--test-input that is not JSON",
      ["actions", "create", "--name", "good_one", "--script", "good.js", "--test-input", "{x"],
      "not valid JSON",
    ],
    [
      "a bad dependency name",
      ["actions", "validate", "--script", "good.js", "--depends-on", "bad name!"],
      "is not a valid action name",
    ],
    [
      "a bad dependency name on create",
      ["actions", "create", "--name", "good_one", "--script", "good.js", "--depends-on", "bad name!"],
      "is not a valid action name",
    ],
    ["a syntax error", ["actions", "create", "--name", "bad_one", "--script", "bad.js"], "syntax error"],
    ["a short name", ["actions", "create", "--name", "ab", "--script", "good.js"], "the minimum is 3"],
  ])("%s", async (_what, args, said) => {
    const r = await runCxda([...args, ...base], { cwd: dir });
    expect(r.code, r.stderr).not.toBe(0);
    expect(count(r.stderr, said), r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/(--test-input|dependencies\[0\]): \1:/);
  });
});
