/**
 * `cxda actions create | test | validate` (SPEC §12, issue 4). Exit codes: 0 ok; 65 invalid input
 * (syntax errors printed compiler-style as `FILE:LINE:COLUMN: message`); 1 when a test run ends in
 * FAILURE or TIMEOUT, or could not run (for `create`, the action then exists: fix it and re-test).
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { validateActionPayload } from "../../domain/action-rules.js";
import type { ValidationIssue } from "../../domain/validation-result.js";
import { ValidationError } from "../../errors.js";
import { type CreateActionSpec, createAction } from "../../workflows/create-action.js";
import { type TestRunResult, testAction } from "../../workflows/test-action.js";
import type { CommandContext } from "../context.js";
import { EXIT, UsageError } from "../exit-codes.js";
import { readInputFile } from "../input-file.js";
import { resolvePlaceholdersDeep } from "../placeholders.js";
import type { CommandHandler } from "../program.js";

/** Script files larger than this are refused before reading (the rule itself is 65 536 bytes). */
const MAX_SCRIPT_FILE_BYTES = 10 * 1024 * 1024;
/** Stands in for the name when `actions validate` is given none (the name rules are then skipped). */
const PLACEHOLDER_NAME = "validate_only";

function stringOption(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  return typeof value === "string" ? value : undefined;
}

/** `a,b , c` → `["a","b","c"]`. */
export function parseDependsOn(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The script file's text; a missing, unreadable or huge file is invalid input (exit 65). */
export async function readScriptFile(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
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
function inFile(error: ValidationError, file: string): ValidationError {
  const issues = issuesInFile(error.issues, file);
  const first = issues[0];
  const message =
    first && first.path === file && first.line !== undefined
      ? `${file}:${first.line}:${first.column ?? 1}: ${first.message}`
      : error.message.replaceAll("script.content", file);
  const mapped = new ValidationError(message, {
    issues,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.slug === undefined ? {} : { slug: error.slug }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    attempts: error.attempts,
  });
  return mapped;
}

function scriptSpec(name: string, content: string, options: Record<string, unknown>): CreateActionSpec {
  const description = stringOption(options, "description");
  const dependencies = parseDependsOn(stringOption(options, "dependsOn"));
  return {
    name,
    type: "SCRIPT",
    trigger: { type: "MANUAL" },
    script: { language: "JavaScript", content },
    ...(description === undefined ? {} : { description }),
    ...(dependencies === undefined ? {} : { dependencies }),
  };
}

function printTestResult(ctx: CommandContext, result: TestRunResult): void {
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
}

function workflowContext(ctx: CommandContext, mutating: boolean) {
  return (async () => ({
    client: await ctx.client(),
    recorder: mutating ? await ctx.recorder() : undefined,
  }))();
}

export const actionsCreate: CommandHandler = async (ctx, _args, options) => {
  const name = stringOption(options, "name");
  const file = stringOption(options, "script");
  if (name === undefined || file === undefined) throw new UsageError("both --name and --script are required");
  const testInputText = stringOption(options, "testInput");
  const testInput =
    testInputText === undefined ? undefined : parseJsonArgument(ctx, "--test-input", testInputText);
  const spec = scriptSpec(name, await readScriptFile(file), options);
  let result: Awaited<ReturnType<typeof createAction>>;
  try {
    result = await createAction(
      await workflowContext(ctx, true),
      spec,
      testInputText === undefined ? {} : { testInput },
    );
  } catch (error) {
    throw error instanceof ValidationError ? inFile(error, file) : error;
  }
  const testFailed =
    result.testError !== undefined || (result.testResult !== null && result.testResult.status !== "SUCCESS");
  const code = testFailed ? EXIT.failed : EXIT.ok;
  if (ctx.out.json) {
    ctx.out.result({ ok: code === EXIT.ok, exitCode: code, ...result });
    return code;
  }
  const a = result.action;
  const retried =
    result.attempts > 1 ? `, ${result.attempts} attempts${result.replayed ? " (replayed)" : ""}` : "";
  ctx.out.line(`created ${a.name} (id ${a.id}, version ${a.version}) in ${result.latencyMs} ms${retried}`);
  if (a.dependencies.length > 0) ctx.out.line(`  depends on ${a.dependencies.join(", ")}`);
  if (result.testResult) printTestResult(ctx, result.testResult);
  if (result.testError) ctx.out.error(`the test could not run: ${result.testError.message}`);
  if (testFailed) ctx.out.info(`the action was created; fix it, then re-run: cxda actions test ${a.name}`);
  return code;
};

export const actionsTest: CommandHandler = async (ctx, args, options) => {
  const inputText = stringOption(options, "input");
  const input = inputText === undefined ? null : parseJsonArgument(ctx, "--input", inputText);
  const environmentId = stringOption(options, "env");
  const run = await testAction(await workflowContext(ctx, false), args[0]!, {
    input,
    ...(environmentId === undefined ? {} : { environmentId }),
  });
  const code = run.result.status === "SUCCESS" ? EXIT.ok : EXIT.failed;
  if (ctx.out.json) {
    ctx.out.result({ ok: code === EXIT.ok, exitCode: code, ...run });
    return code;
  }
  ctx.out.line(
    `${run.action.name} (${run.action.type})${environmentId === undefined ? "" : ` in ${environmentId}`}`,
  );
  printTestResult(ctx, run.result);
  return code;
};

export const actionsValidate: CommandHandler = async (ctx, _args, options) => {
  const file = stringOption(options, "script");
  if (file === undefined) throw new UsageError("--script is required");
  const name = stringOption(options, "name");
  const content = await readScriptFile(file);
  const spec = scriptSpec(name ?? PLACEHOLDER_NAME, content, options);
  const result = validateActionPayload(spec);
  if (!result.ok)
    throw inFile(new ValidationError(result.issues[0]!.message, { issues: result.issues }), file);
  const bytes = Buffer.byteLength(content, "utf8");
  const dependencies = spec.dependencies ?? [];
  if (ctx.out.json) {
    ctx.out.result({ ok: true, file, ...(name === undefined ? {} : { name }), bytes, dependencies });
    return EXIT.ok;
  }
  ctx.out.line(
    `${file}: ok — parses as ECMAScript 2022, declares main, ${bytes} bytes${name === undefined ? "" : `, name ${name}`}`,
  );
  if (dependencies.length > 0)
    ctx.out.info(`dependencies ${dependencies.join(", ")} are checked against the tenant on create`);
  return EXIT.ok;
};
