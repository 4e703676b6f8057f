// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are literal ${…} text, not template literals
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import { parseInputText, readInputFile } from "../../src/cli/input-file.js";
import { ValidationError } from "../../src/errors.js";
import {
  hasPlaceholder,
  resolvePlaceholders,
  resolvePlaceholdersDeep,
} from "../../src/project/placeholders.js";

describe("placeholders", () => {
  it("substitutes ${env:NAME} inside a value and registers the resolved value", () => {
    const redactor = new Redactor();
    const r = resolvePlaceholders("Bearer ${env:CRM_TOKEN}", { env: { CRM_TOKEN: "tok-9f8e7d" }, redactor });
    expect(r).toEqual({ value: "Bearer tok-9f8e7d", substituted: true });
    expect(redactor.redactString("x tok-9f8e7d y")).toBe("x *** y");
  });

  it("reads ${file:PATH} relative to baseDir without its trailing line break", () => {
    const dir = mkdtempSync(join(tmpdir(), "cxda-ph-"));
    writeFileSync(join(dir, "secret.txt"), "s3cr3t-value\n");
    expect(resolvePlaceholders("${file:secret.txt}", { baseDir: dir }).value).toBe("s3cr3t-value");
  });

  it("keeps text without placeholders and writes $${ as a literal ${", () => {
    expect(resolvePlaceholders("plain=value", { env: {} })).toEqual({
      value: "plain=value",
      substituted: false,
    });
    expect(resolvePlaceholders("$${env:X}", { env: { X: "no" } }).value).toBe("${env:X}");
    expect(hasPlaceholder("a ${env:X}")).toBe(true);
    expect(hasPlaceholder("a $${env:X}")).toBe(false);
  });

  it("reports every unresolved placeholder at once, never a value", () => {
    let error: unknown;
    try {
      resolvePlaceholders("${env:MISSING} ${env:1bad} ${vault:x} ${file:/nonexistent/zz}", {
        env: {},
        path: "X-A",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const messages = (error as ValidationError).issues.map((i) => i.message);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toContain("environment variable MISSING is not set");
    expect(messages[1]).toContain("needs an environment variable name");
    expect(messages[2]).toContain("unknown placeholder ${vault:x}");
    expect(messages[3]).toContain("cannot be read (ENOENT)");
  });

  it("resolves a whole document and lists the substituted paths", () => {
    const r = resolvePlaceholdersDeep(
      { a: "${env:A}", list: ["x", "${env:B}"], n: 3 },
      { env: { A: "1", B: "2" } },
    );
    expect(r.value).toEqual({ a: "1", list: ["x", "2"], n: 3 });
    expect(r.issues).toEqual([]);
    expect(r.substitutedPaths).toEqual(["a", "list[1]"]);
  });
});

describe("input files", () => {
  it("parses YAML and JSON and locates nodes by path", () => {
    const f = parseInputText('X-Source: cxda\nX-Trace:\n  "on"\n', "h.yaml");
    expect(f.data).toEqual({ "X-Source": "cxda", "X-Trace": "on" });
    expect(f.locate(["X-Trace"])).toEqual({ line: 3, column: 3 });
    expect(f.locateKey(["X-Trace"])).toEqual({ line: 2, column: 1 });
    expect(f.locateKey(["X-None"])).toBeUndefined();
    expect(parseInputText('{"a": "b"}', "h.json").data).toEqual({ a: "b" });
  });

  it("reports YAML syntax errors with file:line:column (exit 65 class)", () => {
    let error: unknown;
    try {
      parseInputText("a: [1,\n b: c", "bad.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^bad\.yaml:2:\d+: not valid YAML or JSON/);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: "bad.yaml", line: 2 });
  });

  it("refuses duplicate keys and missing files clearly", () => {
    expect(() => parseInputText("a: 1\na: 2\n", "dup.yaml")).toThrow(/dup\.yaml:2:1/);
    expect(() => readInputFile("/nonexistent/cxda/x.yaml")).toThrow(/cannot read .*: no such file/);
  });
});
