import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  assertDateTimeAccuracy,
  buildDateProcessing,
  computeDateTime,
  type DateTimeInput,
  explainDateTime,
  MAX_OFFSET_MINUTES,
  validateDateProcessing,
  validateDateTimeInput,
} from "../../src/domain/datetime.js";
import { BugError, ValidationError } from "../../src/errors.js";

const seedExample: DateTimeInput = {
  sourceTimestamp: "2024-02-29T15:30:00.000Z",
  timezone: "America/New_York",
  operation: "ADD_OFFSET",
  offsetMinutes: 120,
  precision: 3,
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("computeDateTime", () => {
  it("computes the documented example with the real offset, not a Z label", () => {
    expect(computeDateTime(seedExample)).toEqual({
      computedValue: "2024-02-29T12:30:00.000-05:00",
      computedUtc: "2024-02-29T17:30:00.000Z",
      epochMs: Date.UTC(2024, 1, 29, 17, 30),
    });
  });

  // Expected values worked out by hand from the zones' published transitions.
  it.each([
    // America/New_York: 2024-03-10 02:00 EST → 03:00 EDT; 2024-11-03 02:00 EDT → 01:00 EST.
    [
      "America/New_York",
      "2024-03-10T01:30:00-05:00",
      "ADD_OFFSET",
      60,
      "2024-03-10T03:30:00.000-04:00",
      "-05:00",
      "-04:00",
    ],
    [
      "America/New_York",
      "2024-11-03T01:30:00-04:00",
      "ADD_OFFSET",
      60,
      "2024-11-03T01:30:00.000-05:00",
      "-04:00",
      "-05:00",
    ],
    [
      "America/New_York",
      "2024-03-10T07:30:00Z",
      "SUBTRACT_OFFSET",
      60,
      "2024-03-10T01:30:00.000-05:00",
      "-04:00",
      "-05:00",
    ],
    [
      "America/New_York",
      "2024-11-03T06:30:00Z",
      "SUBTRACT_OFFSET",
      120,
      "2024-11-03T00:30:00.000-04:00",
      "-05:00",
      "-04:00",
    ],
    // Europe/London: 2024-03-31 01:00 GMT → 02:00 BST; 2024-10-27 02:00 BST → 01:00 GMT.
    [
      "Europe/London",
      "2024-03-31T00:30:00Z",
      "ADD_OFFSET",
      60,
      "2024-03-31T02:30:00.000+01:00",
      "+00:00",
      "+01:00",
    ],
    [
      "Europe/London",
      "2024-10-27T00:30:00Z",
      "ADD_OFFSET",
      60,
      "2024-10-27T01:30:00.000+00:00",
      "+01:00",
      "+00:00",
    ],
    // Europe/Berlin: 2024-03-31 02:00 CET → 03:00 CEST; 2024-10-27 03:00 CEST → 02:00 CET.
    [
      "Europe/Berlin",
      "2024-03-31T01:59:59.999+01:00",
      "ADD_OFFSET",
      1,
      "2024-03-31T03:00:59.999+02:00",
      "+01:00",
      "+02:00",
    ],
    [
      "Europe/Berlin",
      "2024-10-27T02:30:00+02:00",
      "ADD_OFFSET",
      60,
      "2024-10-27T02:30:00.000+01:00",
      "+02:00",
      "+01:00",
    ],
    // Australia/Lord_Howe shifts by 30 minutes: 2024-04-07 02:00 +11:00 → 01:30 +10:30; 2024-10-06 02:00 → 02:30.
    [
      "Australia/Lord_Howe",
      "2024-04-07T01:45:00+11:00",
      "ADD_OFFSET",
      30,
      "2024-04-07T01:45:00.000+10:30",
      "+11:00",
      "+10:30",
    ],
    [
      "Australia/Lord_Howe",
      "2024-10-06T01:50:00+10:30",
      "ADD_OFFSET",
      20,
      "2024-10-06T02:40:00.000+11:00",
      "+10:30",
      "+11:00",
    ],
    // Asia/Kolkata (+05:30, war time +06:30 from 1942-09-01) and Asia/Kathmandu (+05:30 → +05:45 in 1986).
    [
      "Asia/Kolkata",
      "2024-02-29T20:00:00Z",
      "ADD_OFFSET",
      15,
      "2024-03-01T01:45:00.000+05:30",
      "+05:30",
      "+05:30",
    ],
    [
      "Asia/Kolkata",
      "1942-08-31T18:00:00Z",
      "ADD_OFFSET",
      60,
      "1942-09-01T01:30:00.000+06:30",
      "+05:30",
      "+06:30",
    ],
    [
      "Asia/Kathmandu",
      "2024-02-29T18:00:00Z",
      "ADD_OFFSET",
      15,
      "2024-03-01T00:00:00.000+05:45",
      "+05:45",
      "+05:45",
    ],
    [
      "Asia/Kathmandu",
      "1985-12-31T18:00:00Z",
      "ADD_OFFSET",
      60,
      "1986-01-01T00:45:00.000+05:45",
      "+05:30",
      "+05:45",
    ],
  ] as const)(
    "%s: %s %s %i min → %s",
    (timezone, sourceTimestamp, operation, offsetMinutes, value, before, after) => {
      const input = { sourceTimestamp, timezone, operation, offsetMinutes, precision: 3 };
      const explained = explainDateTime(input);
      expect(explained.computedValue).toBe(value);
      expect(explained.offsetBefore).toBe(before);
      expect(explained.offsetAfter).toBe(after);
      expect(explained.accurate).toBe(true);
      const sign = operation === "ADD_OFFSET" ? 1 : -1;
      expect(explained.epochMs).toBe(Date.parse(sourceTimestamp) + sign * offsetMinutes * 60_000);
      expect(Date.parse(explained.computedUtc)).toBe(explained.epochMs);
      expect(Date.parse(explained.computedValue)).toBe(explained.epochMs);
    },
  );

  it.each([
    ["2024-02-28T23:30:00Z", 60, "2024-02-29T00:30:00.000Z"],
    ["2024-02-29T12:00:00Z", 1440, "2024-03-01T12:00:00.000Z"],
    ["2023-02-28T12:00:00Z", 1440, "2023-03-01T12:00:00.000Z"],
    ["2000-02-28T12:00:00Z", 1440, "2000-02-29T12:00:00.000Z"],
    ["2100-02-28T12:00:00Z", 1440, "2100-03-01T12:00:00.000Z"],
    ["2024-02-29T00:00:00Z", 525_600, "2025-02-28T00:00:00.000Z"],
  ])("leap days: %s + %i min → %s", (sourceTimestamp, offsetMinutes, utc) => {
    const result = computeDateTime({
      sourceTimestamp,
      timezone: "UTC",
      operation: "ADD_OFFSET",
      offsetMinutes,
    });
    expect(result.computedUtc).toBe(utc);
    expect(result.computedValue).toBe(utc.replace("Z", "+00:00"));
  });

  it("accepts 29 February only in leap years", () => {
    const at = (sourceTimestamp: string) =>
      validateDateTimeInput({ sourceTimestamp, timezone: "UTC", operation: "ADD_OFFSET", offsetMinutes: 0 })
        .ok;
    expect([at("2024-02-29T00:00:00Z"), at("2000-02-29T00:00:00Z")]).toEqual([true, true]);
    expect([at("2023-02-29T00:00:00Z"), at("2100-02-29T00:00:00Z")]).toEqual([false, false]);
  });

  it("reads no designator as UTC and a numeric offset as written", () => {
    const base = { timezone: "UTC", operation: "ADD_OFFSET", offsetMinutes: 0 } as const;
    expect(computeDateTime({ ...base, sourceTimestamp: "2024-05-01T10:00:00" }).computedUtc).toBe(
      "2024-05-01T10:00:00.000Z",
    );
    expect(computeDateTime({ ...base, sourceTimestamp: "2024-05-01T10:00:00+05:45" }).computedUtc).toBe(
      "2024-05-01T04:15:00.000Z",
    );
    expect(computeDateTime({ ...base, sourceTimestamp: "2024-05-01T10:00:00-00:00" }).computedUtc).toBe(
      "2024-05-01T10:00:00.000Z",
    );
  });

  it("accepts 0 to 9 fraction digits", () => {
    for (let digits = 0; digits <= 9; digits++) {
      const fraction = digits === 0 ? "" : `.${"987654321".slice(0, digits)}`;
      const result = computeDateTime({
        sourceTimestamp: `2024-01-01T00:00:00${fraction}Z`,
        timezone: "UTC",
        operation: "ADD_OFFSET",
        offsetMinutes: 0,
      });
      expect(result.computedUtc).toBe(`2024-01-01T00:00:00.${"987".slice(0, digits).padEnd(3, "0")}Z`);
    }
  });

  it.each([
    ["2024-01-01T00:00:00.9999Z", 3, "2024-01-01T00:00:00.999Z", 1704067200999],
    ["2024-01-01T00:00:00.9999Z", 2, "2024-01-01T00:00:00.99Z", 1704067200990],
    ["2024-01-01T00:00:00.9999Z", 1, "2024-01-01T00:00:00.9Z", 1704067200900],
    ["2024-01-01T00:00:00.9999Z", 0, "2024-01-01T00:00:00Z", 1704067200000],
    ["2024-01-01T00:00:00.999999999Z", 3, "2024-01-01T00:00:00.999Z", 1704067200999],
    ["2024-01-01T00:00:00.5Z", 0, "2024-01-01T00:00:00Z", 1704067200000],
    // Before 1970 truncation still goes toward the past, so the written digits are the ones cut.
    ["1969-12-31T23:59:59.9999Z", 3, "1969-12-31T23:59:59.999Z", -1],
    ["1969-12-31T23:59:59.9999Z", 0, "1969-12-31T23:59:59Z", -1000],
  ])("truncates %s to %i digits, never rounding → %s", (sourceTimestamp, precision, utc, epochMs) => {
    const result = computeDateTime({
      sourceTimestamp,
      timezone: "UTC",
      operation: "ADD_OFFSET",
      offsetMinutes: 0,
      precision,
    });
    expect(result.computedUtc).toBe(utc);
    expect(result.epochMs).toBe(epochMs);
  });

  it("writes exactly `precision` fraction digits in both forms", () => {
    const result = computeDateTime({ ...seedExample, precision: 0 });
    expect(result).toEqual({
      computedValue: "2024-02-29T12:30:00-05:00",
      computedUtc: "2024-02-29T17:30:00Z",
      epochMs: Date.UTC(2024, 1, 29, 17, 30),
    });
    expect(computeDateTime({ ...seedExample, precision: 1 }).computedValue).toBe(
      "2024-02-29T12:30:00.0-05:00",
    );
  });

  it("explains the source in both forms with its own digits", () => {
    const explained = explainDateTime({
      ...seedExample,
      sourceTimestamp: "2024-02-29T15:30:00.123456Z",
      precision: 0,
    });
    expect(explained).toMatchObject({
      source: "2024-02-29T15:30:00.123456Z",
      sourceLocal: "2024-02-29T10:30:00.123456-05:00",
      sourceUtc: "2024-02-29T15:30:00.123456Z",
      computedValue: "2024-02-29T12:30:00-05:00",
      offsetBefore: "-05:00",
      offsetAfter: "-05:00",
      precision: 0,
    });
  });

  it("accepts UTC and IANA aliases, refuses fixed offsets and wrong case", () => {
    const at = (timezone: string) =>
      validateDateTimeInput({ ...seedExample, timezone }).issues.map((i) => `${i.path}: ${i.message}`);
    expect(at("UTC")).toEqual([]);
    expect(at("Etc/UTC")).toEqual([]);
    expect(at("US/Eastern")).toEqual([]);
    expect(at("+05:30")[0]).toMatch(/^timezone: .*fixed offset.*IANA time zone/);
    expect(at("america/new_york")[0]).toMatch(/write it as America\/New_York/);
    expect(at("")[0]).toMatch(/^timezone: .*IANA/);
  });
});

describe("bad input", () => {
  const valid = { ...seedExample };

  it.each([
    ["sourceTimestamp", "yesterday", /sourceTimestamp "yesterday" is not an RFC 3339 date-time/],
    ["sourceTimestamp", "2024-13-01T00:00:00Z", /month 13 does not exist \(01–12\)/],
    ["sourceTimestamp", "2023-02-29T00:00:00Z", /day 29 does not exist in 2023-02, which has 28 days/],
    ["sourceTimestamp", "2024-01-01T24:00:00Z", /hour 24 does not exist/],
    ["sourceTimestamp", "2024-01-01T23:60:00Z", /minute 60 does not exist/],
    ["sourceTimestamp", "2016-12-31T23:59:60Z", /leap second/],
    ["sourceTimestamp", "2024-01-01 00:00:00Z", /is not an RFC 3339 date-time/],
    ["sourceTimestamp", "2024-01-01T00:00:00-0500", /is not an RFC 3339 date-time/],
    ["sourceTimestamp", "2024-01-01T00:00:00+24:00", /offset \+24:00 is not a valid ±HH:MM offset/],
    ["sourceTimestamp", "2024-01-01T00:00:00.1234567891Z", /at most 9 are accepted/],
    ["sourceTimestamp", "0000-06-01T00:00:00Z", /year must be 0001–9999/],
    ["sourceTimestamp", "0001-01-01T00:00:00+01:00", /outside the years 0001–9999/],
    ["sourceTimestamp", 1709220600000, /must be a string/],
    ["timezone", "Mars/Olympus", /timezone "Mars\/Olympus" is not an IANA time zone name/],
    ["operation", "MULTIPLY", /operation "MULTIPLY" must be one of ADD_OFFSET, SUBTRACT_OFFSET/],
    ["offsetMinutes", 1e12, /offsetMinutes 1000000000000 is too large: .*from 0 to 5258964960/],
    ["offsetMinutes", 1.5, /offsetMinutes 1.5 is not whole/],
    ["offsetMinutes", -30, /negative.*opposite operation with 30/],
    ["offsetMinutes", Number.NaN, /offsetMinutes must be a whole number of minutes/],
    ["offsetMinutes", "120", /offsetMinutes must be a whole number of minutes/],
    ["precision", 7, /precision 7 must be an integer from 0 to 3/],
    ["precision", 1.5, /precision 1.5 must be an integer from 0 to 3/],
    ["precision", -1, /precision -1 must be an integer from 0 to 3/],
  ])("%s %s is refused naming the field and the accepted form", (field, bad, message) => {
    const result = validateDateTimeInput({ ...valid, [field]: bad });
    expect(result.ok).toBe(false);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.path).toBe(field);
    expect(result.issues[0]!.message).toMatch(message);
    const error = thrown(() => computeDateTime({ ...valid, [field]: bad } as DateTimeInput));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual(result.issues);
  });

  it("reports every bad field at once", () => {
    const bad = {
      sourceTimestamp: "yesterday",
      timezone: "Mars/Olympus",
      operation: "MULTIPLY",
      offsetMinutes: 1e12,
      precision: 7,
    };
    const result = validateDateTimeInput(bad);
    expect(result.issues.map((i) => i.path)).toEqual([
      "sourceTimestamp",
      "timezone",
      "operation",
      "offsetMinutes",
      "precision",
    ]);
    const error = thrown(() => computeDateTime(bad as unknown as DateTimeInput)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toHaveLength(5);
    expect(error.message).toContain("Mars/Olympus");
  });

  it("refuses input that is not an object", () => {
    for (const input of [null, "2024-01-01T00:00:00Z", [], 5]) {
      expect(validateDateTimeInput(input).issues[0]?.message).toMatch(
        /must be an object with sourceTimestamp/,
      );
    }
  });

  it.each([
    ["9999-12-31T23:59:59Z", "ADD_OFFSET", 1, "UTC"],
    ["0001-01-01T00:00:00Z", "SUBTRACT_OFFSET", 1, "UTC"],
    ["0001-01-01T00:00:00Z", "ADD_OFFSET", MAX_OFFSET_MINUTES, "UTC"],
    ["2024-01-01T00:00:00Z", "ADD_OFFSET", 4_200_000_000, "UTC"],
    ["9999-12-31T23:00:00Z", "ADD_OFFSET", 0, "Asia/Kolkata"],
    ["0001-01-01T00:30:00Z", "ADD_OFFSET", 0, "America/New_York"],
  ] as const)(
    "refuses %s %s %i min in %s: outside 0001–9999, not wrapped",
    (sourceTimestamp, operation, offsetMinutes, timezone) => {
      const result = validateDateTimeInput({ sourceTimestamp, timezone, operation, offsetMinutes });
      expect(result.issues).toHaveLength(1);
      expect(result.issues[0]).toMatchObject({ path: "offsetMinutes", code: "out-of-range" });
      expect(result.issues[0]!.message).toMatch(/outside the years 0001–9999/);
      expect(() => computeDateTime({ sourceTimestamp, timezone, operation, offsetMinutes })).toThrow(
        ValidationError,
      );
    },
  );

  it("reaches the last minute of 9999 with the largest offset that fits", () => {
    const result = computeDateTime({
      sourceTimestamp: "0001-01-01T00:00:00Z",
      timezone: "UTC",
      operation: "ADD_OFFSET",
      offsetMinutes: MAX_OFFSET_MINUTES - 1,
      precision: 0,
    });
    expect(result.computedUtc).toBe("9999-12-31T23:59:00Z");
  });

  it("refuses a result in local mean time, whose offset RFC 3339 cannot write", () => {
    const result = validateDateTimeInput({
      sourceTimestamp: "1850-01-01T00:00:00Z",
      timezone: "America/New_York",
      operation: "ADD_OFFSET",
      offsetMinutes: 0,
    });
    expect(result.issues[0]).toMatchObject({ path: "timezone", code: "offset-not-representable" });
    expect(result.issues[0]!.message).toContain("-04:56:02");
  });
});

describe("accuracy check", () => {
  it("passes the value computeDateTime returns", () => {
    expect(() => assertDateTimeAccuracy(seedExample, computeDateTime(seedExample))).not.toThrow();
  });

  it.each([
    ["a local time labelled Z", { computedValue: "2024-02-29T12:30:00.000Z" }],
    ["a wrong offset", { computedValue: "2024-02-29T12:30:00.000-04:00" }],
    ["a UTC value off by an hour", { computedUtc: "2024-02-29T16:30:00.000Z" }],
    ["a rounded epoch", { epochMs: Date.UTC(2024, 1, 29, 17, 30) + 1 }],
    ["extra fraction digits", { computedUtc: "2024-02-29T17:30:00.0000Z" }],
  ])("throws BugError on %s", (_label, tamper) => {
    const error = thrown(() =>
      assertDateTimeAccuracy(seedExample, { ...computeDateTime(seedExample), ...tamper }),
    );
    expect(error).toBeInstanceOf(BugError);
    expect((error as BugError).message).toMatch(/accuracy check failed/);
  });

  it("throws BugError on wall-clock arithmetic across the spring-forward gap", () => {
    const input = { ...seedExample, sourceTimestamp: "2024-03-10T01:30:00-05:00", offsetMinutes: 60 };
    // 01:30 + 1 h on the wall clock is 02:30, a time that does not exist; the tz database shifts it to 03:30 EDT.
    const wallClock = {
      computedValue: "2024-03-10T03:30:00.000-04:00",
      computedUtc: "2024-03-10T08:30:00.000Z",
      epochMs: Date.UTC(2024, 2, 10, 8, 30),
    };
    expect(() => assertDateTimeAccuracy(input, wallClock)).toThrow(BugError);
  });

  it("holds for every input: epochMs moves from the truncated source by exactly the offset", () => {
    const zones = [
      "America/New_York",
      "Europe/London",
      "Europe/Berlin",
      "Asia/Kolkata",
      "Asia/Kathmandu",
      "Australia/Lord_Howe",
      "America/St_Johns",
      "Pacific/Chatham",
      "UTC",
    ];
    const sourceNs = fc.bigInt({
      min: Temporal.Instant.from("1975-01-01T00:00:00Z").epochNanoseconds,
      max: Temporal.Instant.from("2100-01-01T00:00:00Z").epochNanoseconds,
    });
    fc.assert(
      fc.property(
        sourceNs,
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(...zones),
        fc.constantFrom(...zones),
        fc.constantFrom("ADD_OFFSET" as const, "SUBTRACT_OFFSET" as const),
        fc.integer({ min: 0, max: 10_512_000 }), // 20 years: stays after every listed zone's local-mean-time era
        fc.integer({ min: 0, max: 3 }),
        (ns, digits, writtenIn, timezone, operation, offsetMinutes, precision) => {
          const written = Temporal.Instant.fromEpochNanoseconds(ns)
            .toZonedDateTimeISO(writtenIn)
            .toString({ fractionalSecondDigits: digits as 0, roundingMode: "floor", timeZoneName: "never" });
          const sourceTimestamp = written.endsWith("+00:00") ? written.replace("+00:00", "Z") : written;
          const result = computeDateTime({ sourceTimestamp, timezone, operation, offsetMinutes, precision });

          const exactMs = Number(Temporal.Instant.from(sourceTimestamp).epochNanoseconds / 1_000n) / 1000;
          const unitMs = 10 ** (3 - precision);
          const truncatedSourceMs = Math.floor(exactMs / unitMs) * unitMs;
          const sign = operation === "ADD_OFFSET" ? 1 : -1;
          const move = offsetMinutes === 0 ? 0 : sign * offsetMinutes * 60_000; // avoid -0
          expect(result.epochMs - truncatedSourceMs).toBe(move);
          expect(Temporal.Instant.from(result.computedUtc).epochMilliseconds).toBe(result.epochMs);
          expect(Temporal.Instant.from(result.computedValue).epochMilliseconds).toBe(result.epochMs);
          const offset = Temporal.Instant.fromEpochMilliseconds(result.epochMs).toZonedDateTimeISO(
            timezone,
          ).offset;
          expect(result.computedValue.endsWith(offset)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("over the whole 0001–9999 range: exact in UTC, or refused as out of range, never wrapped", () => {
    const first = Temporal.Instant.from("0001-01-01T00:00:00Z").epochMilliseconds;
    const end = Temporal.Instant.from("+010000-01-01T00:00:00Z").epochMilliseconds;
    fc.assert(
      fc.property(
        fc.integer({ min: first, max: end - 1 }),
        fc.constantFrom("ADD_OFFSET" as const, "SUBTRACT_OFFSET" as const),
        fc.integer({ min: 0, max: MAX_OFFSET_MINUTES }),
        (sourceMs, operation, offsetMinutes) => {
          const sourceTimestamp = Temporal.Instant.fromEpochMilliseconds(sourceMs).toString({
            fractionalSecondDigits: 3,
          });
          const target = sourceMs + (operation === "ADD_OFFSET" ? 1 : -1) * offsetMinutes * 60_000;
          const input = { sourceTimestamp, timezone: "UTC", operation, offsetMinutes };
          if (target < first || target >= end) {
            expect(validateDateTimeInput(input).issues.map((i) => i.code)).toEqual(["out-of-range"]);
          } else {
            expect(computeDateTime(input).epochMs).toBe(target);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("validateDateProcessing", () => {
  const stored = buildDateProcessing(seedExample, {
    sourceField: "input_datetime",
    targetField: "processed_datetime",
  });

  it("accepts null and a value computed by buildDateProcessing", () => {
    expect(validateDateProcessing(null)).toEqual({ ok: true, issues: [] });
    expect(validateDateProcessing(stored)).toEqual({ ok: true, issues: [] });
    expect(stored).toMatchObject({
      computedValue: "2024-02-29T12:30:00.000-05:00",
      computedUtc: "2024-02-29T17:30:00.000Z",
      precision: 3,
    });
  });

  const codes = (value: unknown) => validateDateProcessing(value).issues.map((i) => `${i.path} ${i.code}`);

  it("refuses a local time labelled Z and invented fields", () => {
    expect(codes({ ...stored, computedValue: "2024-02-29T12:30:00.000Z", dstAdjustment: true })).toEqual([
      "config.dateProcessing.dstAdjustment unknown-field",
      "config.dateProcessing.computedValue invalid-timestamp",
    ]);
  });

  it("refuses a computedValue and computedUtc that name different instants", () => {
    expect(codes({ ...stored, computedUtc: "2024-02-29T18:30:00.000Z" })).toEqual([
      "config.dateProcessing.computedValue instant-mismatch",
      "config.dateProcessing.computedUtc recomputation-mismatch",
    ]);
  });

  it("refuses a computedValue whose offset is not the zone's real offset", () => {
    expect(codes({ ...stored, computedValue: "2024-02-29T13:30:00.000-04:00" })).toEqual([
      "config.dateProcessing.computedValue offset-mismatch",
      "config.dateProcessing.computedValue recomputation-mismatch",
    ]);
  });

  it("refuses a consistent pair that is not the recomputed result", () => {
    const issues = validateDateProcessing({
      ...stored,
      computedValue: "2024-02-29T13:30:00.000-05:00",
      computedUtc: "2024-02-29T18:30:00.000Z",
    }).issues;
    expect(issues.map((i) => i.code)).toEqual(["recomputation-mismatch", "recomputation-mismatch"]);
    expect(issues[0]!.message).toContain("2024-02-29T12:30:00.000-05:00");
  });

  it("refuses an unknown zone, a missing precision and bad field names, all at once", () => {
    expect(codes({ ...stored, timezone: "Mars/Olympus", precision: undefined, sourceField: "" })).toEqual([
      "config.dateProcessing.sourceField invalid-field-name",
      "config.dateProcessing.timezone unknown-timezone",
      "config.dateProcessing.precision invalid-precision",
    ]);
  });

  it("refuses a value that is not an object, under the path given", () => {
    expect(validateDateProcessing("2024-02-29", ["actions", 0, "dateProcessing"]).issues[0]).toMatchObject({
      path: "actions[0].dateProcessing",
      segments: ["actions", 0, "dateProcessing"],
      code: "invalid-type",
    });
  });
});

describe("docs/datetime.md", () => {
  it("shows the New York examples exactly as the code computes them", () => {
    const doc = readFileSync(new URL("../../docs/datetime.md", import.meta.url), "utf8");
    for (const sourceTimestamp of ["2024-03-10T01:30:00-05:00", "2024-11-03T01:30:00-04:00"]) {
      const explained = explainDateTime({ ...seedExample, sourceTimestamp, offsetMinutes: 60 });
      for (const text of [explained.sourceUtc, explained.computedValue, explained.computedUtc]) {
        expect(doc).toContain(text);
      }
    }
    expect(doc).toContain(computeDateTime(seedExample).computedValue);
  });
});
