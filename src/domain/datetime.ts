/**
 * Exact date/time arithmetic for Data Actions (docs/datetime.md): the offset is an exact duration
 * added to an instant, the result is shown in the target zone with its real offset at that instant.
 * Pure: no I/O, no clock. The tz data comes from the runtime (Intl) through temporal-polyfill (≥ 1.0:
 * 0.3 clamped every lookup at "this year + 10", so DST vanished from 2036 on).
 *
 * Accepted `sourceTimestamp` form (RFC 3339 §5.6 profile of ISO 8601):
 *   YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|±HH:MM]   — upper-case `T` and `Z`, extended format only;
 *   no designator means UTC. Refused: space separator, `±HHMM`, `24:00`, leap second `:60`,
 *   calendar-invalid dates, years outside 0001–9999.
 */
import { Temporal } from "temporal-polyfill";
import { BugError, ValidationError } from "../errors.js";
import {
  type IssuePath,
  issue,
  pathText,
  resultOf,
  type ValidationIssue,
  type ValidationResult,
} from "./validation-result.js";

export type DateTimeOperation = "ADD_OFFSET" | "SUBTRACT_OFFSET";
export const DATETIME_OPERATIONS: readonly DateTimeOperation[] = ["ADD_OFFSET", "SUBTRACT_OFFSET"];

/** Minutes from 0001-01-01T00:00Z to 10000-01-01T00:00Z: a larger offset can never land in range. */
export const MAX_OFFSET_MINUTES = 5_258_964_960;
export const MAX_PRECISION = 3;
export const DEFAULT_PRECISION = 3;

export interface DateTimeInput {
  sourceTimestamp: string;
  timezone: string;
  operation: DateTimeOperation;
  /** A non-negative whole number of minutes; the direction is given by `operation`. */
  offsetMinutes: number;
  /** Fraction digits of the result, 0–3 (default 3); extra digits are truncated toward the past. */
  precision?: number;
}

export interface DateTimeResult {
  /** RFC 3339 local time in `timezone` with the zone's real offset at that instant. */
  computedValue: string;
  /** The same instant in UTC, with `Z`. */
  computedUtc: string;
  epochMs: number;
}

export interface DateTimeExplanation extends DateTimeResult {
  /** `sourceTimestamp` exactly as given. */
  source: string;
  /** The source instant in the target zone, with the source's own fraction digits. */
  sourceLocal: string;
  /** The source instant in UTC, with the source's own fraction digits. */
  sourceUtc: string;
  timezone: string;
  operation: DateTimeOperation;
  offsetMinutes: number;
  precision: number;
  /** The zone's UTC offset at the source instant and at the result instant, e.g. `-05:00`. */
  offsetBefore: string;
  offsetAfter: string;
  accurate: true;
}

/** `config.dateProcessing` (docs/datetime.md). */
export interface DateProcessing {
  sourceField: string;
  targetField: string;
  sourceTimestamp: string;
  operation: DateTimeOperation;
  offsetMinutes: number;
  timezone: string;
  precision: number;
  computedValue: string;
  computedUtc: string;
}

/** The inputs of a `config.dateProcessing`: what a project file states; the rest is computed. */
export const DATE_PROCESSING_INPUT_KEYS = [
  "sourceField",
  "targetField",
  "sourceTimestamp",
  "operation",
  "offsetMinutes",
  "timezone",
  "precision",
] as const;

const DATE_PROCESSING_KEYS = [...DATE_PROCESSING_INPUT_KEYS, "computedValue", "computedUtc"] as const;

export type DateProcessingInput = Omit<DateProcessing, "computedValue" | "computedUtc">;

const NS_PER_MINUTE = 60_000_000_000n;
const NS_PER_MS = 1_000_000n;
const MIN_EPOCH_NS = Temporal.Instant.from("0001-01-01T00:00:00Z").epochNanoseconds;
const END_EPOCH_NS = Temporal.Instant.from("+010000-01-01T00:00:00Z").epochNanoseconds;
const TIMESTAMP_FORM =
  "an RFC 3339 date-time YYYY-MM-DDTHH:MM:SS with an optional .fraction of 1–9 digits and then Z, ±HH:MM or nothing (= UTC), e.g. 2024-02-29T15:30:00.000Z";
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;
const FIELD_NAME = /^[^\s\p{Cc}]{1,128}$/u;

interface ParsedTimestamp {
  epochNs: bigint;
  fractionDigits: number;
  /** The designator as written: `Z`, `+05:30`, or null when there was none. */
  designator: string | null;
}

interface CheckedInput {
  source: ParsedTimestamp;
  sourceTimestamp: string;
  timezone: string;
  operation: DateTimeOperation;
  offsetMinutes: number;
  precision: number;
}

interface Computation {
  input: CheckedInput;
  resultNs: bigint;
  result: DateTimeResult;
}

/** Computes the date processing result and runs its accuracy check; throws ValidationError on bad input. */
export function computeDateTime(input: DateTimeInput): DateTimeResult {
  return { ...computeChecked(input).result };
}

/** computeDateTime plus what a reader needs to trust it: the source in both forms and both offsets. */
export function explainDateTime(input: DateTimeInput): DateTimeExplanation {
  const { input: checked, resultNs, result } = computeChecked(input);
  const sourceLocal = zoned(checked.source.epochNs, checked.timezone);
  return {
    ...result,
    source: checked.sourceTimestamp,
    sourceLocal: formatLocal(sourceLocal, checked.source.fractionDigits),
    sourceUtc: formatUtc(checked.source.epochNs, checked.source.fractionDigits),
    timezone: checked.timezone,
    operation: checked.operation,
    offsetMinutes: checked.offsetMinutes,
    precision: checked.precision,
    offsetBefore: sourceLocal.offset,
    offsetAfter: zoned(resultNs, checked.timezone).offset,
    accurate: true,
  };
}

/** The non-throwing form of computeDateTime's input check: every bad field at once. */
export function validateDateTimeInput(input: unknown): ValidationResult {
  return resultOf(analyse(input, [], false).issues);
}

/** Builds the `config.dateProcessing` object for an input, computed and checked. */
export function buildDateProcessing(
  input: DateTimeInput,
  fields: { sourceField: string; targetField: string },
): DateProcessing {
  const { input: checked, result } = computeChecked(input);
  return {
    sourceField: fields.sourceField,
    targetField: fields.targetField,
    sourceTimestamp: checked.sourceTimestamp,
    operation: checked.operation,
    offsetMinutes: checked.offsetMinutes,
    timezone: checked.timezone,
    precision: checked.precision,
    computedValue: result.computedValue,
    computedUtc: result.computedUtc,
  };
}

/**
 * Validates a stored `config.dateProcessing` (null allowed): the shape, the zone, that computedValue
 * and computedUtc name the same instant with the zone's real offset, and that they match a recomputation.
 */
export function validateDateProcessing(
  value: unknown,
  basePath: IssuePath = ["config", "dateProcessing"],
): ValidationResult {
  if (value === null || value === undefined) return resultOf([]);
  if (!isRecord(value)) {
    return resultOf([
      issue(
        basePath,
        "invalid-type",
        `${pathText(basePath)} must be null or an object with ${DATE_PROCESSING_KEYS.join(", ")}`,
      ),
    ]);
  }
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(value)) {
    if (!(DATE_PROCESSING_KEYS as readonly string[]).includes(key)) {
      issues.push(
        issue(
          [...basePath, key],
          "unknown-field",
          `${pathText([...basePath, key])} is not a date-processing field; remove it (accepted: ${DATE_PROCESSING_KEYS.join(", ")})`,
        ),
      );
    }
  }
  for (const key of ["sourceField", "targetField"] as const) {
    const path = [...basePath, key];
    const field = value[key];
    if (typeof field !== "string" || !FIELD_NAME.test(field)) {
      issues.push(
        issue(
          path,
          "invalid-field-name",
          `${pathText(path)} must be a field name of 1–128 characters with no spaces or control characters`,
        ),
      );
    }
  }

  const analysed = analyse(value, basePath, true);
  issues.push(...analysed.issues);

  const valuePath = [...basePath, "computedValue"];
  const utcPath = [...basePath, "computedUtc"];
  const local = checkComputedText(value.computedValue, valuePath, "offset", issues);
  const utc = checkComputedText(value.computedUtc, utcPath, "utc", issues);
  if (local && utc && local.epochNs !== utc.epochNs) {
    issues.push(
      issue(
        valuePath,
        "instant-mismatch",
        `${pathText(valuePath)} (${String(value.computedValue)}) and ${pathText(utcPath)} (${String(value.computedUtc)}) name different instants; both must name the result instant`,
      ),
    );
  }
  const timezone = value.timezone;
  if (local?.designator && typeof timezone === "string" && checkTimeZone(timezone, []).length === 0) {
    const real = zoned(local.epochNs, timezone).offset;
    if (local.designator !== real) {
      issues.push(
        issue(
          valuePath,
          "offset-mismatch",
          `${pathText(valuePath)} carries offset ${local.designator} but ${timezone} is at ${real} at that instant; write the local time with the zone's real offset`,
        ),
      );
    }
  }
  if (analysed.computation) {
    const expected = analysed.computation.result;
    if (local && value.computedValue !== expected.computedValue) {
      issues.push(mismatch(valuePath, value.computedValue, expected.computedValue));
    }
    if (utc && value.computedUtc !== expected.computedUtc) {
      issues.push(mismatch(utcPath, value.computedUtc, expected.computedUtc));
    }
  }
  return resultOf(issues);
}

/**
 * The accuracy check (docs/datetime.md): computedUtc and computedValue both parse and name the instant
 * truncate(source ± offsetMinutes), computedValue carries the zone's real offset, and
 * |epoch(computedUtc) − truncate(source)| = offsetMinutes·60 000 ms. A violation is a bug: BugError.
 */
export function assertDateTimeAccuracy(input: DateTimeInput, result: DateTimeResult): void {
  const analysed = analyse(input, [], false);
  if (!analysed.computation) throw invalid(analysed.issues);
  const failures = accuracyFailures(analysed.computation.input, result);
  if (failures.length > 0) {
    throw new BugError(
      `date/time accuracy check failed for ${input.sourceTimestamp} ${input.operation} ${input.offsetMinutes} min in ${input.timezone}: ${failures.join("; ")}. This is a bug in cxda, not bad input.`,
    );
  }
}

function computeChecked(input: DateTimeInput): Computation {
  const analysed = analyse(input, [], false);
  if (!analysed.computation) throw invalid(analysed.issues);
  const failures = accuracyFailures(analysed.computation.input, analysed.computation.result);
  if (failures.length > 0) {
    throw new BugError(`date/time accuracy check failed: ${failures.join("; ")}`);
  }
  return analysed.computation;
}

function invalid(issues: ValidationIssue[]): ValidationError {
  const summary = issues.map((i) => i.message).join("; ");
  return new ValidationError(`invalid date/time input: ${summary}`, { slug: "validation-failed", issues });
}

function analyse(
  value: unknown,
  basePath: IssuePath,
  precisionRequired: boolean,
): { issues: ValidationIssue[]; computation?: Computation } {
  if (!isRecord(value)) {
    return {
      issues: [
        issue(
          basePath,
          "invalid-type",
          `${pathText(basePath) || "input"} must be an object with sourceTimestamp, timezone, operation, offsetMinutes and precision`,
        ),
      ],
    };
  }
  const issues: ValidationIssue[] = [];
  const at = (key: string) => [...basePath, key];

  const source = parseTimestamp(value.sourceTimestamp, at("sourceTimestamp"), issues);
  const tzIssues = checkTimeZone(value.timezone, at("timezone"));
  issues.push(...tzIssues);
  const operation = checkOperation(value.operation, at("operation"), issues);
  const offsetMinutes = checkOffsetMinutes(value.offsetMinutes, at("offsetMinutes"), issues);
  const precision = checkPrecision(value.precision, at("precision"), precisionRequired, issues);
  if (
    !source ||
    tzIssues.length > 0 ||
    operation === undefined ||
    offsetMinutes === undefined ||
    precision === undefined
  ) {
    return { issues };
  }
  const checked: CheckedInput = {
    source,
    sourceTimestamp: value.sourceTimestamp as string,
    timezone: value.timezone as string,
    operation,
    offsetMinutes,
    precision,
  };
  const rangeIssues = checkResultRange(checked, basePath);
  if (rangeIssues.length > 0) return { issues: rangeIssues };

  const resultNs = resultInstant(checked);
  const local = zoned(resultNs, checked.timezone);
  const result: DateTimeResult = {
    computedValue: formatLocal(local, precision),
    computedUtc: formatUtc(resultNs, precision),
    epochMs: Number(resultNs / NS_PER_MS),
  };
  return { issues, computation: { input: checked, resultNs, result } };
}

/** truncate(source ± offset): the offset is exact on the instant, never on the wall clock. */
function resultInstant(input: CheckedInput): bigint {
  const sign = input.operation === "ADD_OFFSET" ? 1n : -1n;
  const raw = input.source.epochNs + sign * BigInt(input.offsetMinutes) * NS_PER_MINUTE;
  return floorTo(raw, input.precision);
}

/** Floors epoch nanoseconds to `digits` fraction digits: toward the past, also before 1970. */
function floorTo(epochNs: bigint, digits: number): bigint {
  const unit = 10n ** BigInt(9 - digits);
  let quotient = epochNs / unit;
  if (epochNs % unit !== 0n && epochNs < 0n) quotient -= 1n;
  return quotient * unit;
}

function checkResultRange(input: CheckedInput, basePath: IssuePath): ValidationIssue[] {
  const where = [...basePath, "offsetMinutes"];
  const path = pathText(where);
  const resultNs = resultInstant(input);
  const what = `${input.operation} ${input.offsetMinutes} minutes from ${input.sourceTimestamp}`;
  if (resultNs < MIN_EPOCH_NS || resultNs >= END_EPOCH_NS) {
    return [
      issue(
        where,
        "out-of-range",
        `${path}: ${what} gives ${Temporal.Instant.fromEpochNanoseconds(resultNs).toString()}, outside the years 0001–9999; use a smaller offset`,
      ),
    ];
  }
  const local = zoned(resultNs, input.timezone);
  if (local.year < 1 || local.year > 9999) {
    return [
      issue(
        where,
        "out-of-range",
        `${path}: ${what} gives a local time in ${input.timezone} outside the years 0001–9999; use a smaller offset`,
      ),
    ];
  }
  if (local.offsetNanoseconds % 60_000_000_000 !== 0) {
    const tzPath = [...basePath, "timezone"];
    return [
      issue(
        tzPath,
        "offset-not-representable",
        `${pathText(tzPath)}: at the result instant ${input.timezone} uses local mean time (${local.offset}), an offset RFC 3339 cannot write; choose an instant after the zone adopted standard time`,
      ),
    ];
  }
  return [];
}

function accuracyFailures(input: CheckedInput, result: DateTimeResult): string[] {
  const failures: string[] = [];
  const expectedNs = resultInstant(input);
  const scratch: ValidationIssue[] = [];
  const utc = parseTimestamp(result.computedUtc, ["computedUtc"], scratch);
  const local = parseTimestamp(result.computedValue, ["computedValue"], scratch);
  if (utc?.designator !== "Z") {
    failures.push(`computedUtc ${result.computedUtc} is not a UTC timestamp`);
  }
  if (!local?.designator || local.designator === "Z") {
    failures.push(`computedValue ${result.computedValue} does not carry a numeric offset`);
  }
  if (utc) {
    const moved = utc.epochNs - floorTo(input.source.epochNs, input.precision);
    const expectedMove =
      (input.operation === "ADD_OFFSET" ? 1n : -1n) * BigInt(input.offsetMinutes) * NS_PER_MINUTE;
    if (moved !== expectedMove) {
      failures.push(
        `epoch(computedUtc) − epoch(source) is ${moved / NS_PER_MS} ms, expected ${expectedMove / NS_PER_MS} ms`,
      );
    }
  }
  if (utc && utc.epochNs !== expectedNs)
    failures.push(`computedUtc ${result.computedUtc} is not the result instant`);
  if (local && local.epochNs !== expectedNs) {
    failures.push(`computedValue ${result.computedValue} is not the result instant`);
  }
  if (local?.designator && local.designator !== zoned(expectedNs, input.timezone).offset) {
    failures.push(`computedValue offset ${local.designator} is not the real offset of ${input.timezone}`);
  }
  if (BigInt(result.epochMs) * NS_PER_MS !== expectedNs) {
    failures.push(`epochMs ${result.epochMs} is not the result instant`);
  }
  for (const [name, parsed] of [
    ["computedUtc", utc],
    ["computedValue", local],
  ] as const) {
    if (parsed && parsed.fractionDigits !== input.precision) {
      failures.push(`${name} has ${parsed.fractionDigits} fraction digits, expected ${input.precision}`);
    }
  }
  return failures;
}

function parseTimestamp(
  text: unknown,
  where: IssuePath,
  issues: ValidationIssue[],
): ParsedTimestamp | undefined {
  const path = pathText(where);
  if (typeof text !== "string") {
    issues.push(issue(where, "invalid-type", `${path} must be a string: ${TIMESTAMP_FORM}`));
    return undefined;
  }
  const match = TIMESTAMP.exec(text);
  if (!match) {
    issues.push(issue(where, "invalid-timestamp", `${path} ${quote(text)} is not ${TIMESTAMP_FORM}`));
    return undefined;
  }
  const [, y, mo, d, h, mi, s, fraction = "", designator] = match as unknown as string[];
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as number[];
  const before = issues.length;
  const bad = (rule: string) =>
    issues.push(
      issue(where, "invalid-timestamp", `${path} ${quote(text)}: ${rule}; expected ${TIMESTAMP_FORM}`),
    );
  if (fraction.length > 9) bad(`the fraction has ${fraction.length} digits, at most 9 are accepted`);
  if (year! < 1) bad("the year must be 0001–9999");
  if (month! < 1 || month! > 12) bad(`month ${mo} does not exist (01–12)`);
  else if (year! >= 1) {
    const days = Temporal.PlainYearMonth.from({ year: year!, month: month! }).daysInMonth;
    if (day! < 1 || day! > days) bad(`day ${d} does not exist in ${y}-${mo}, which has ${days} days`);
  }
  if (hour! > 23) bad(`hour ${h} does not exist (00–23; write 00:00 of the next day instead of 24:00)`);
  if (minute! > 59) bad(`minute ${mi} does not exist (00–59)`);
  if (second === 60) bad("leap second :60 cannot be represented (00–59)");
  else if (second! > 59) bad(`second ${s} does not exist (00–59)`);
  let offsetNs = 0n;
  if (designator && designator !== "Z") {
    const offHours = Number(designator.slice(1, 3));
    const offMinutes = Number(designator.slice(4, 6));
    if (offHours > 23 || offMinutes > 59) bad(`offset ${designator} is not a valid ±HH:MM offset`);
    const sign = designator.startsWith("-") ? -1n : 1n;
    offsetNs = sign * BigInt(offHours * 60 + offMinutes) * NS_PER_MINUTE;
  }
  if (issues.length > before) return undefined;

  const nanos = fraction.padEnd(9, "0");
  let wall: Temporal.PlainDateTime;
  try {
    wall = Temporal.PlainDateTime.from(
      {
        year: year!,
        month: month!,
        day: day!,
        hour: hour!,
        minute: minute!,
        second: second!,
        millisecond: Number(nanos.slice(0, 3)),
        microsecond: Number(nanos.slice(3, 6)),
        nanosecond: Number(nanos.slice(6, 9)),
      },
      { overflow: "reject" },
    );
  } catch {
    bad("it is not a valid calendar date-time");
    return undefined;
  }
  const epochNs = wall.toZonedDateTime("UTC").epochNanoseconds - offsetNs;
  if (epochNs < MIN_EPOCH_NS || epochNs >= END_EPOCH_NS) {
    bad("in UTC it falls outside the years 0001–9999");
    return undefined;
  }
  return { epochNs, fractionDigits: fraction.length, designator: designator ?? null };
}

function checkTimeZone(value: unknown, where: IssuePath): ValidationIssue[] {
  const path = pathText(where);
  const form = "an IANA time zone name known to this runtime, such as America/New_York, Asia/Kolkata or UTC";
  if (typeof value !== "string" || value === "") {
    return [issue(where, "invalid-type", `${path} must be ${form}`)];
  }
  if (/^[+\u2212-]\d|^Z$/i.test(value)) {
    return [
      issue(
        where,
        "unknown-timezone",
        `${path} ${quote(value)} is a fixed offset, not a time zone; use ${form}`,
      ),
    ];
  }
  let id: string;
  try {
    id = Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(value).timeZoneId;
  } catch {
    return [issue(where, "unknown-timezone", `${path} ${quote(value)} is not ${form}`)];
  }
  if (id !== value) {
    const hint = id.toLowerCase() === value.toLowerCase() ? `; write it as ${id}` : "";
    return [issue(where, "unknown-timezone", `${path} ${quote(value)} is not ${form}${hint}`)];
  }
  return [];
}

function checkOperation(
  value: unknown,
  where: IssuePath,
  issues: ValidationIssue[],
): DateTimeOperation | undefined {
  const path = pathText(where);
  if (typeof value === "string" && (DATETIME_OPERATIONS as readonly string[]).includes(value)) {
    return value as DateTimeOperation;
  }
  const got = typeof value === "string" ? ` ${quote(value)}` : "";
  issues.push(
    issue(where, "invalid-operation", `${path}${got} must be one of ${DATETIME_OPERATIONS.join(", ")}`),
  );
  return undefined;
}

function checkOffsetMinutes(value: unknown, where: IssuePath, issues: ValidationIssue[]): number | undefined {
  const path = pathText(where);
  const form = `a whole number of minutes from 0 to ${MAX_OFFSET_MINUTES} (the direction is set by operation)`;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    issues.push(issue(where, "invalid-offset", `${path} must be ${form}`));
    return undefined;
  }
  if (!Number.isInteger(value)) {
    issues.push(issue(where, "invalid-offset", `${path} ${value} is not whole; it must be ${form}`));
    return undefined;
  }
  if (value < 0) {
    issues.push(
      issue(
        where,
        "invalid-offset",
        `${path} ${value} is negative; it must be ${form}: use the opposite operation with ${-value}`,
      ),
    );
    return undefined;
  }
  if (value > MAX_OFFSET_MINUTES) {
    issues.push(
      issue(
        where,
        "invalid-offset",
        `${path} ${value} is too large: it must be ${form}, the span of the years 0001–9999`,
      ),
    );
    return undefined;
  }
  return value;
}

function checkPrecision(
  value: unknown,
  where: IssuePath,
  required: boolean,
  issues: ValidationIssue[],
): number | undefined {
  const path = pathText(where);
  if (value === undefined && !required) return DEFAULT_PRECISION;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_PRECISION) {
    return value;
  }
  const got = typeof value === "number" ? ` ${value}` : "";
  issues.push(
    issue(
      where,
      "invalid-precision",
      `${path}${got} must be an integer from 0 to ${MAX_PRECISION} (fraction digits of the result; extra digits are truncated)`,
    ),
  );
  return undefined;
}

function checkComputedText(
  value: unknown,
  where: IssuePath,
  want: "offset" | "utc",
  issues: ValidationIssue[],
): ParsedTimestamp | undefined {
  const path = pathText(where);
  const parsed = parseTimestamp(value, where, issues);
  if (!parsed) return undefined;
  if (want === "utc" && parsed.designator !== "Z") {
    issues.push(issue(where, "invalid-timestamp", `${path} ${quote(value as string)} must end in Z (UTC)`));
    return undefined;
  }
  if (want === "offset" && (parsed.designator === null || parsed.designator === "Z")) {
    // A local time must not be labelled with Z: a local time needs the zone's numeric offset.
    issues.push(
      issue(
        where,
        "invalid-timestamp",
        `${path} ${quote(value as string)} must carry the zone's numeric offset (±HH:MM), not Z or nothing`,
      ),
    );
    return undefined;
  }
  return parsed;
}

function mismatch(where: IssuePath, actual: unknown, expected: string): ValidationIssue {
  const path = pathText(where);
  return issue(
    where,
    "recomputation-mismatch",
    `${path} ${quote(String(actual))} does not match the recomputed ${expected}; store the value computeDateTime returns`,
  );
}

function zoned(epochNs: bigint, timezone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochNanoseconds(epochNs).toZonedDateTimeISO(timezone);
}

type FractionDigits = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

function formatLocal(value: Temporal.ZonedDateTime, digits: number): string {
  const options = { fractionalSecondDigits: digits as FractionDigits, roundingMode: "floor" } as const;
  // Temporal rounds a local-mean-time offset (-04:56:02) to minutes, naming another instant: keep seconds.
  if (value.offsetNanoseconds % 60_000_000_000 !== 0)
    return value.toPlainDateTime().toString(options) + value.offset;
  return value.toString({ ...options, timeZoneName: "never" });
}

function formatUtc(epochNs: bigint, digits: number): string {
  return Temporal.Instant.fromEpochNanoseconds(epochNs).toString({
    fractionalSecondDigits: digits as FractionDigits,
    roundingMode: "floor",
  });
}

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
