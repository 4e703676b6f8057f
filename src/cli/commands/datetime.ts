/**
 * `cxda datetime compute|apply` (SPEC §12, issue 8). Flag values are checked by the domain rules, so
 * the CLI, the SDK and the emulator give the same messages; a bad value is invalid input (exit 65),
 * also `--minutes` text that is not a number: it is a value the user got wrong, not a misuse of the
 * command line. A missing flag is left to commander (exit 64).
 */
import {
  type DateTimeExplanation,
  type DateTimeInput,
  explainDateTime,
  MAX_OFFSET_MINUTES,
  validateDateTimeInput,
} from "../../domain/datetime.js";
import { issue, type ValidationIssue } from "../../domain/validation-result.js";
import { ValidationError } from "../../errors.js";
import { applyDateProcessing, prepare } from "../../workflows/datetime.js";
import type { CommandContext } from "../context.js";
import type { CommandHandler } from "../program.js";

const FLAG_OF: Record<string, string> = {
  sourceTimestamp: "--source",
  timezone: "--timezone",
  operation: "--operation",
  offsetMinutes: "--minutes",
  precision: "--precision",
};
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The flags as a DateTimeInput, or ValidationError naming every bad flag and its field's accepted form. */
export function inputFromFlags(options: Record<string, unknown>): DateTimeInput {
  const issues: ValidationIssue[] = [];
  const minutes = numberFlag(
    options.minutes,
    "--minutes",
    "offsetMinutes",
    `a whole number of minutes from 0 to ${MAX_OFFSET_MINUTES} (the direction is set by --operation)`,
    issues,
  );
  const precision = numberFlag(
    options.precision ?? "3",
    "--precision",
    "precision",
    "an integer from 0 to 3 (fraction digits of the result)",
    issues,
  );
  const input = {
    sourceTimestamp: String(options.source ?? ""),
    timezone: String(options.timezone ?? ""),
    operation: String(options.operation ?? ""),
    offsetMinutes: minutes ?? 0,
    precision: precision ?? 3,
  };
  for (const found of validateDateTimeInput(input).issues) {
    const flag = FLAG_OF[found.path] ?? found.path;
    // A flag that did not parse as a number already has its own issue.
    if (
      (flag === "--minutes" && minutes === undefined) ||
      (flag === "--precision" && precision === undefined)
    )
      continue;
    issues.push({ ...found, path: flag });
  }
  issues.sort((a, b) => order(a.path) - order(b.path));
  if (issues.length > 0) {
    throw new ValidationError(
      `invalid date/time input (${issues.length} problem${issues.length === 1 ? "" : "s"})`,
      { slug: "validation-failed", issues },
    );
  }
  return input as DateTimeInput;
}

function order(path: string): number {
  const i = Object.values(FLAG_OF).indexOf(path);
  return i < 0 ? 99 : i;
}

function numberFlag(
  raw: unknown,
  flag: string,
  field: string,
  form: string,
  issues: ValidationIssue[],
): number | undefined {
  const text = String(raw).trim();
  // `1e12` and `1.5` are numbers the domain refuses with its own message; `abc` is not a number at all.
  if (NUMBER_TEXT.test(text)) return Number(text);
  issues.push(
    issue(
      flag,
      "validation-failed",
      `${flag} ${JSON.stringify(text.slice(0, 40))} is not a number: ${field} must be ${form}`,
    ),
  );
  return undefined;
}

export function formatExplanation(e: DateTimeExplanation): string[] {
  const sign = e.operation === "ADD_OFFSET" ? "+" : "−";
  const moved = e.offsetBefore === e.offsetAfter;
  return [
    `source      ${e.source}`,
    `            = ${e.sourceLocal} in ${e.timezone}`,
    `operation   ${e.operation} ${e.offsetMinutes} min (${sign}${e.offsetMinutes * 60_000} ms exactly), precision ${e.precision}`,
    `result      ${e.computedValue}  (${e.timezone})`,
    `result UTC  ${e.computedUtc}`,
    `UTC offset  ${e.offsetBefore} before → ${e.offsetAfter} after${moved ? "" : `  (${e.timezone} changed its offset in between; the duration is still exact)`}`,
  ];
}

export const datetimeCompute: CommandHandler = async (ctx, _args, options) => {
  const explanation = explainDateTime(inputFromFlags(options));
  if (ctx.out.json) ctx.out.result({ ...explanation });
  else for (const line of formatExplanation(explanation)) ctx.out.line(line);
  return 0;
};

export const datetimeApply: CommandHandler = async (ctx: CommandContext, args, options) => {
  const input = inputFromFlags(options);
  const fields = {
    sourceField: String(options.sourceField ?? "input_datetime"),
    targetField: String(options.targetField ?? "processed_datetime"),
  };
  // Offline checks first: bad input needs no credentials and sends nothing.
  prepare(input, fields);
  const explanation = explainDateTime(input);
  const recorder = await ctx.recorder();
  const client = await ctx.client();
  const result = await applyDateProcessing({ client, recorder }, args[0]!, input, fields);
  const { action, dateProcessing, latencyMs } = result;
  if (ctx.out.json) {
    ctx.out.result({
      action: { id: action.id, name: action.name, version: action.version },
      dateProcessing,
      offsetBefore: explanation.offsetBefore,
      offsetAfter: explanation.offsetAfter,
      latencyMs,
    });
    return 0;
  }
  ctx.out.line(`applied to ${action.name} (${action.id}), now version ${action.version}, in ${latencyMs} ms`);
  ctx.out.line("config.dateProcessing");
  for (const [key, value] of Object.entries(dateProcessing))
    ctx.out.line(`  ${key.padEnd(16)}${String(value)}`);
  ctx.out.line(
    `UTC offset ${explanation.offsetBefore} before → ${explanation.offsetAfter} after; verified: result − source = ${explanation.operation === "ADD_OFFSET" ? "+" : "−"}${explanation.offsetMinutes} min exactly`,
  );
  return 0;
};
