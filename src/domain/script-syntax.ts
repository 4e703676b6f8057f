/**
 * Script checks (docs/script-runtime.md): the content must parse as an ECMAScript 2022 *script* (not a module) and
 * declare a top-level function `main`. Syntax and `main` are separate checks: `checkScriptSyntax` is
 * only the grammar (what V8 would refuse), `findMainFunction` the `main` rule on a parsed program.
 */
import { type Node, type Options, type Program, parse } from "acorn";
import {
  type IssuePath,
  issue,
  pathText,
  resultOf,
  type ValidationIssue,
  type ValidationResult,
} from "./validation-result.js";

const PARSE_OPTIONS: Options = {
  ecmaVersion: 2022,
  sourceType: "script",
  locations: true,
  allowHashBang: false,
  allowReturnOutsideFunction: false,
};

const GRAMMAR_ONLY: Options = { ...PARSE_OPTIONS, locations: false };
const SCRIPT_CONTENT: IssuePath = ["script", "content"];

export type ParsedScript = { ok: true; program: Program } | { ok: false; issue: ValidationIssue };

interface AcornSyntaxError extends SyntaxError {
  loc?: { line: number; column: number };
}

/**
 * Parses `source` with acorn. On a syntax error the issue (code `script-syntax`, path `path`) carries
 * the 1-based line and the 1-based column (acorn counts columns from 0; editors and compilers from 1).
 */
export function parseScript(
  source: string,
  path: IssuePath = SCRIPT_CONTENT,
  options: Options = PARSE_OPTIONS,
): ParsedScript {
  const where = pathText(path);
  try {
    return { ok: true, program: parse(source, options) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      // acorn is recursive: nesting deep enough to exhaust the stack ends as a RangeError.
      return {
        ok: false,
        issue: issue(
          path,
          "script-syntax",
          `${where}: the script nests too deeply to be parsed; reduce the nesting of brackets and blocks`,
        ),
      };
    }
    const loc = (error as AcornSyntaxError).loc;
    const line = loc?.line ?? 1;
    const column = (loc?.column ?? 0) + 1;
    const reason = error.message.replace(/ \(\d+:\d+\)$/, "");
    return {
      ok: false,
      issue: issue(
        path,
        "script-syntax",
        `${where}: syntax error at line ${line}, column ${column}: ${reason}; fix the script so it parses as an ECMAScript 2022 script`,
        { line, column },
      ),
    };
  }
}

/** Grammar only: ok when `source` parses as an ECMAScript 2022 script. */
export function checkScriptSyntax(source: string): ValidationResult {
  // No node locations needed for grammar alone: acorn's errors carry theirs anyway (~10 % faster, bench B6).
  const parsed = parseScript(source, SCRIPT_CONTENT, GRAMMAR_ONLY);
  return resultOf(parsed.ok ? [] : [parsed.issue]);
}

/** A plain or async function: a generator `main` would hand back an iterator instead of a result. */
function isFunction(node: Node | null | undefined): boolean {
  if (node?.type === "ArrowFunctionExpression") return true;
  return node?.type === "FunctionExpression" && !(node as Node & { generator: boolean }).generator;
}

/**
 * The `main` rule on a script (a source text, parsed first, or an already parsed program): a top-level `function main(…)` (async allowed) or
 * `const|let|var main =` a function or arrow function; generators are refused. Returns the issues
 * (none when satisfied).
 */
export function findMainFunction(
  script: string | Program,
  path: IssuePath = SCRIPT_CONTENT,
): ValidationIssue[] {
  let program: Program;
  if (typeof script === "string") {
    const parsed = parseScript(script, path);
    if (!parsed.ok) return [parsed.issue];
    program = parsed.program;
  } else {
    program = script;
  }
  let notAFunction: { line: number; column: number } | undefined;
  for (const statement of program.body) {
    if (statement.type === "FunctionDeclaration" && statement.id.name === "main") {
      if (!statement.generator) return [];
      const start = statement.loc?.start;
      notAFunction ??= start ? { line: start.line, column: start.column + 1 } : undefined;
      continue;
    }
    if (statement.type !== "VariableDeclaration") continue;
    for (const declarator of statement.declarations) {
      if (declarator.id.type !== "Identifier" || declarator.id.name !== "main") continue;
      if (isFunction(declarator.init)) return [];
      const start = declarator.loc?.start;
      notAFunction ??= start ? { line: start.line, column: start.column + 1 } : undefined;
    }
  }
  if (notAFunction) {
    return [
      issue(
        path,
        "validation-failed",
        `${pathText(path)}: \`main\` at line ${notAFunction.line} is not a plain or async function; write \`function main(context) { … }\` or \`const main = (context) => …\``,
        notAFunction,
      ),
    ];
  }
  return [
    issue(
      path,
      "validation-failed",
      `${pathText(path)}: the script declares no top-level function \`main\`; add \`function main(context) { … }\` (or \`const main = (context) => …\`)`,
    ),
  ];
}
