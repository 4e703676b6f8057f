/**
 * The date/time flags as a domain input. Flag values are checked by the domain rules, so the CLI, the
 * SDK and the emulator give the same messages; a bad value is invalid input (exit 65), also `--minutes`
 * text that is not a number: it is a value the user got wrong, not a misuse of the command line. A
 * missing flag is left to commander (exit 64).
 */
import {
  type DateTimeExplanation,
  type DateTimeInput,
  MAX_OFFSET_MINUTES,
  validateDateTimeInput,
} from "../../../domain/datetime.js";
import { issue, type ValidationIssue } from "../../../domain/validation-result.js";
import { ValidationError } from "../../../errors.js";
import type { DateTimeFlags } from "./index.js";

const FLAG_OF: Record<string, string> = {
  sourceTimestamp: "--source",
  timezone: "--timezone",
  operation: "--operation",
  offsetMinutes: "--minutes",
  precision: "--precision",
};
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The flags as a DateTimeInput, or ValidationError naming every bad flag and its field's accepted form. */
export function inputFromFlags(options: DateTimeFlags): DateTimeInput {
  const issues: ValidationIssue[] = [];
  const minutes = numberFlag(
    options.minutes,
    "--minutes",
    "offsetMinutes",
    `a whole number of minutes from 0 to ${MAX_OFFSET_MINUTES} (the direction is set by --operation)`,
    issues,
  );
  const precision = numberFlag(
    options.precision,
    "--precision",
    "precision",
    "an integer from 0 to 3 (fraction digits of the result)",
    issues,
  );
  const input = {
    sourceTimestamp: options.source,
    timezone: options.timezone,
    operation: options.operation,
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
