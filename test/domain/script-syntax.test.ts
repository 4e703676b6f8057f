import vm from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkScriptSyntax, findMainFunction, parseScript } from "../../src/domain/script-syntax.js";

/** V8's own verdict: does Node compile `source` as a classic script? */
function v8Parses(source: string): boolean {
  try {
    new vm.Script(source);
    return true;
  } catch (error) {
    if (error instanceof SyntaxError || (error as Error)?.name === "SyntaxError") return false;
    throw error;
  }
}

describe("checkScriptSyntax", () => {
  it.each([
    ["a function", "function main(context) { return context.input; }"],
    [
      "ES2022 class fields and static blocks",
      "class A { #x = 1; static { this.y = 2; } get x() { return this.#x; } }",
    ],
    ["optional chaining and ??=", "let a = {}; a.b ??= a?.c?.d ?? 3;"],
    ["top-level await is an identifier in a script", "var await = 1;"],
    ["empty script", ""],
  ])("accepts %s", (_label, source) => {
    expect(checkScriptSyntax(source)).toEqual({ ok: true, issues: [] });
  });

  it.each<[string, string, number, number]>([
    ["missing expression", "let a = ;", 1, 9],
    ["error on a later line, columns from 1", "let a = 1;\n  let b = );", 2, 11],
    ["unclosed brace at end of input", "function main() {\n  return 1;\n", 3, 1],
    ["import in a script (modules are not scripts)", 'import x from "y";', 1, 1],
    ["top-level return", "return 1;", 1, 1],
    ["hashbang is ES2023", "#!/usr/bin/env node\nfunction main() {}", 1, 2],
  ])("refuses %s with line and column", (_label, source, line, column) => {
    const result = checkScriptSyntax(source);
    expect(result.ok).toBe(false);
    expect(result.issues).toHaveLength(1);
    const [found] = result.issues;
    expect(found).toMatchObject({ path: "script.content", code: "script-syntax", line, column });
    expect(found!.message).toContain(`line ${line}, column ${column}`);
    expect(found!.message).toContain("ECMAScript 2022");
  });

  it("refuses what V8 lets through but ES2022 makes an early error", () => {
    for (const source of ["f() = 1;", "f()++;", "for (f() in x);", "class A { #v; m() { this?.#v = 1; } }"]) {
      expect(v8Parses(source)).toBe(true);
      expect(checkScriptSyntax(source).ok).toBe(false);
    }
  });

  it("survives nesting deep enough to exhaust a recursive parser", () => {
    const result = checkScriptSyntax(`x = ${"[".repeat(60_000)}`);
    expect(result.ok).toBe(false);
    expect(result.issues[0]!.code).toBe("script-syntax");
  });

  it("names the path it is given", () => {
    const parsed = parseScript("(", ["actions", 0, "script"]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issue.path).toBe("actions[0].script");
  });

  // Scripts and mutation characters stay inside what ES2022 and Node's V8 agree on: no `/` (regex
  // flags newer than ES2022), no `#!` (hashbang is ES2023), no `<`/`-` (Annex B HTML comments).
  const corpus = [
    "function main(context) { return context.input; }",
    "const main = (ctx) => ({ a: ctx.input, b: [1, 2, 3] });",
    "let total = 0;\nfor (const x of [1, 2, 3]) { total += x * 2; }\nfunction main() { return total; }",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the script itself holds a template literal
    "var main = async function (c) { const { a = 1, ...rest } = c.input ?? {}; return { a, rest, s: `t${a}` }; };",
    "class Box { #v; constructor(v) { this.#v = v; } get v() { return this.#v; } }\nfunction main(c) { return new Box(c).v; }",
    'function main(c) { switch (c.kind) { case "a": return 1; default: return c?.x ?? null; } }',
    "function main(c) { try { return JSON.parse(c.input); } catch { return null; } finally { } }",
  ];
  // Early errors V8 defers: a call as an assignment target (web compatibility: a ReferenceError at
  // run time) and an optional chain as a target inside lazily parsed functions. acorn follows ES2022.
  const V8_LENIENCE = ["Assigning to rvalue", "Optional chaining cannot appear in left-hand side"];
  const alphabet = [..."(){}[];,.=+*:?\"'` \nabcfnrtx01$_&|%^~>"];
  type Edit = { at: number; insert: string | null };
  const editArb = fc.record({ at: fc.nat(), insert: fc.option(fc.constantFrom(...alphabet), { nil: null }) });

  function mutate(source: string, edits: Edit[]): string {
    let s = source;
    for (const { at, insert } of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      s = insert === null ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + insert + s.slice(i);
    }
    return s;
  }

  it("agrees with V8 (new vm.Script) on mutated scripts", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.array(editArb, { minLength: 1, maxLength: 4 }),
        (source, edits) => {
          const mutated = mutate(source, edits);
          const ours = checkScriptSyntax(mutated);
          const v8 = v8Parses(mutated);
          fc.pre(!(v8 && !ours.ok && V8_LENIENCE.some((m) => ours.issues[0]!.message.includes(m))));
          expect(ours.ok).toBe(v8);
        },
      ),
      { numRuns: Number(process.env.CXDA_PROPERTY_RUNS ?? 2_000) },
    );
  });

  it("accepts every unmutated corpus script, as V8 does", () => {
    for (const source of corpus) {
      expect(v8Parses(source)).toBe(true);
      expect(checkScriptSyntax(source).ok).toBe(true);
    }
  });
});

describe("findMainFunction", () => {
  it.each([
    ["function declaration", "function main(context) { return 1; }"],
    ["async function declaration", "async function main(context) { return 1; }"],
    ["const arrow", "const main = (context) => context.input;"],
    ["let function expression", "let main = function (context) { return 1; };"],
    ["var async arrow among other declarators", "var x = 1, main = async (c) => c;"],
    ["after other statements", "const helper = 2;\nfunction main() { return helper; }"],
  ])("accepts %s", (_label, source) => {
    expect(findMainFunction(source)).toEqual([]);
  });

  it.each([
    ["no main at all", "function handler() {}", "declares no top-level function `main`"],
    ["main only nested in another function", "function outer() { function main() {} }", "no top-level"],
    ["main assigned without a declaration", "main = () => 1;", "no top-level"],
    ["main as a class", "class main {}", "no top-level"],
    ["main destructured", "const { main } = globalThis;", "no top-level"],
    ["main bound to a number", "const main = 5;", "`main` at line 1 is not a plain or async function"],
    ["main declared without a value", "let main;", "is not a plain or async function"],
    ["main as a generator", "function* main() { yield 1; }", "is not a plain or async function"],
  ])("refuses %s", (_label, source, text) => {
    const issues = findMainFunction(source);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: "script.content", code: "validation-failed" });
    expect(issues[0]!.message).toContain(text);
    expect(issues[0]!.message).toContain("function main(context)");
  });

  it("reports the syntax error when given source that does not parse", () => {
    expect(findMainFunction("function main( {")[0]!.code).toBe("script-syntax");
  });

  it("reports the position of a main that is not a function", () => {
    expect(findMainFunction("const a = 1;\n  let main = 2;")[0]).toMatchObject({ line: 2, column: 7 });
  });
});
