/**
 * What `actions create | test | validate` share: reading the script file, `--depends-on`, JSON
 * arguments, and issues pointing into the script file compiler style (`f.js:3:7: syntax error: …`).
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { ValidationIssue } from "../../../domain/validation-result.js";
import { ValidationError } from "../../../errors.js";
import { resolvePlaceholdersDeep } from "../../../project/placeholders.js";
import type { CreateActionSpec } from "../../../workflows/create-action.js";
import type { TestRunResult } from "../../../workflows/test-action.js";
import type { CommandContext } from "../../context.js";
import { readInputFile, STDIN_NAME } from "../../input-file.js";

/** Script files larger than this are refused before reading (the rule itself is 65 536 bytes). */
const MAX_SCRIPT_FILE_BYTES = 10 * 1024 * 1024;

/** `a,b , c` → `["a","b","c"]`. */
export function parseDependsOn(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The script file's text (`-`: standard input); a missing, unreadable or huge file is invalid input (exit 65). */
export async function readScriptFile(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  if (file === "-") return readScriptStdin();
  const refuse = (why: string) =>
    new ValidationError(`cannot read the script ${file}: ${why}`, {
      issues: [
        { path: file, code: "validation-failed", message: `cannot read ${file}: ${why}; check the path` },
      ],
    });
  let size: number;
  try {
    const stat = statSync(resolve(file));
    if (!stat.isFile()) throw refuse("it is not a file");
    size = stat.size;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === "ENOENT" ? "no such file" : (code ?? "unreadable"));
  }
  if (size > MAX_SCRIPT_FILE_BYTES)
    throw refuse(`it is ${size} bytes; a script may be at most 65536 bytes of UTF-8`);
  return readFile(resolve(file), "utf8");
}

async function readScriptStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SCRIPT_FILE_BYTES) {
      const message = `${STDIN_NAME}: more than ${MAX_SCRIPT_FILE_BYTES} bytes; a script may be at most 65536 bytes of UTF-8`;
      throw new ValidationError(message, {
        issues: [{ path: STDIN_NAME, code: "validation-failed", message }],
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A JSON value given inline (`'{"a":1}'`) or as `@FILE` (YAML or JSON); `${env:…}`/`${file:…}`
 * placeholders are resolved and their values registered with the redactor.
 */
export function parseJsonArgument(ctx: CommandContext, flag: string, value: string): unknown {
  let data: unknown;
  let baseDir = process.cwd();
  if (value.startsWith("@")) {
    const file = readInputFile(value.slice(1));
    data = file.data;
    baseDir = file.baseDir;
  } else {
    try {
      data = JSON.parse(value);
    } catch (error) {
      const reason = error instanceof SyntaxError ? error.message : "not JSON";
      const message = `${flag}: not valid JSON (${reason}); pass JSON such as '{"a":1}' or @file.json`;
      throw new ValidationError(message, { issues: [{ path: flag, code: "validation-failed", message }] });
    }
  }
  const resolved = resolvePlaceholdersDeep(data, { baseDir, redactor: ctx.redactor });
  if (resolved.issues.length > 0)
    throw new ValidationError(`${flag}: ${resolved.issues.length} placeholder(s) could not be resolved`, {
      issues: resolved.issues,
    });
  return resolved.value;
}

/** Script issues point into the file, compiler style (`f.js:3:7: syntax error: …`); others keep their path. */
export function issuesInFile(issues: readonly ValidationIssue[], file: string): ValidationIssue[] {
  return issues.map((i) => {
    if (!i.path.startsWith("script.content")) return i;
    const message = i.message
      .replace(/^script\.content: /, "")
      .replace(/^syntax error at line \d+, column \d+: /, "syntax error: ");
    return { ...i, path: file, message };
  });
}

/** A ValidationError whose script issues name the file; the first line reads like a compiler's. */
export function inFile(error: ValidationError, file: string): ValidationError {
  const issues = issuesInFile(error.issues, file);
  const first = issues[0];
  const message =
    first && first.path === file && first.line !== undefined
      ? `${file}:${first.line}:${first.column ?? 1}: ${first.message}`
      : error.message.replaceAll("script.content", file);
  return new ValidationError(message, {
    issues,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.slug === undefined ? {} : { slug: error.slug }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    attempts: error.attempts,
  });
}

export function scriptSpec(
  name: string,
  content: string,
  options: { description?: string | undefined; dependsOn?: string | undefined },
): CreateActionSpec {
  const dependencies = parseDependsOn(options.dependsOn);
  return {
    name,
    type: "SCRIPT",
    trigger: { type: "MANUAL" },
    script: { language: "JavaScript", content },
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(dependencies === undefined ? {} : { dependencies }),
  };
}

export function printTestResult(ctx: CommandContext, result: TestRunResult): void {
  const c = ctx.out.colors;
  const paint = result.status === "SUCCESS" ? c.green : result.status === "TIMEOUT" ? c.yellow : c.red;
  ctx.out.line(`test ${paint(result.status)} in ${result.durationMs} ms`);
  if (result.error) ctx.out.line(`  error   ${result.error}`);
  if (result.status === "SUCCESS") {
    const text = JSON.stringify(result.output, null, 2) ?? "undefined";
    ctx.out.line(`  output  ${text.split("\n").join("\n          ")}`);
  }
  if (result.logs.length === 0) ctx.out.line("  logs    (none)");
  else {
    ctx.out.line("  logs");
    for (const line of result.logs) ctx.out.line(`    ${line}`);
  }
  const withheld = result.secretsWithheld ?? [];
  if (withheld.length > 0)
    ctx.out.line(
      `  note    the run saw "***" for the secret${withheld.length === 1 ? "" : "s"} ${withheld.join(", ")}: ` +
        "decrypted values need a token with the dataactions:execute scope (see docs/script-runtime.md)",
    );
}
