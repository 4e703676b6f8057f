/**
 * computeDateTime against an oracle that shares no code with it: the zone's offset at the result instant
 * comes from Node's own Intl (ICU, `timeZoneName: "longOffset"`), the local wall time from plain Date
 * arithmetic (proleptic Gregorian, like RFC 3339). Over the whole accepted range, years 0001–9999.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeDateTime, type DateTimeOperation, validateDateTimeInput } from "../../src/domain/datetime.js";

const YEAR_ONE_MS = new Date("0001-01-01T00:00:00Z").getTime();
const END_MS = new Date("+010000-01-01T00:00:00Z").getTime();

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant in seconds, as ICU reports it ("GMT", "GMT+05:30", "GMT-04:56:02"). */
function intlOffsetSeconds(epochMs: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    formatters.set(timeZone, format);
  }
  const name = format.formatToParts(epochMs).find((p) => p.type === "timeZoneName")?.value ?? "";
  if (name === "GMT") return 0;
  const match = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (!match) throw new Error(`unexpected Intl offset ${name} for ${timeZone}`);
  const [, sign, h, m, s = "0"] = match;
  return (sign === "-" ? -1 : 1) * (Number(h) * 3600 + Number(m) * 60 + Number(s));
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** RFC 3339 text of an instant shown at a fixed offset, with `digits` fraction digits (floored). */
function oracleLocal(epochMs: number, offsetSeconds: number, digits: number): string {
  const wall = new Date(epochMs + offsetSeconds * 1000);
  const ms = wall.getUTCMilliseconds();
  const fraction = digits === 0 ? "" : `.${pad(ms, 3).slice(0, digits)}`;
  const abs = Math.abs(offsetSeconds);
  const sign = offsetSeconds < 0 ? "-" : "+";
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}${fraction}` +
    `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}`
  );
}

function utcText(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

/** Every zone the validator accepts under the name ICU lists (links such as Asia/Calcutta it may rename). */
const ZONES = Intl.supportedValuesOf("timeZone").filter(
  (timeZone) =>
    validateDateTimeInput({
      sourceTimestamp: "2000-01-01T00:00:00Z",
      timezone: timeZone,
      operation: "ADD_OFFSET",
      offsetMinutes: 0,
    }).ok,
);

describe("computeDateTime against Intl (independent oracle)", () => {
  it("accepts hundreds of the runtime's zones", () => {
    expect(ZONES.length).toBeGreaterThan(300);
    expect(ZONES).toContain("Europe/Berlin");
  });

  // The bug a property tester found: the polyfill clamped tz lookups at "this year + 10".
  it.each([
    ["Europe/Berlin", "2036-07-01T12:00:00Z", "2036-07-01T14:00:00.000+02:00"],
    ["Europe/Berlin", "2100-07-01T12:00:00Z", "2100-07-01T14:00:00.000+02:00"],
    ["America/New_York", "9999-07-01T12:00:00Z", "9999-07-01T08:00:00.000-04:00"],
    ["Australia/Sydney", "5000-07-15T00:00:00Z", "5000-07-15T10:00:00.000+10:00"],
  ])("keeps daylight saving far in the future: %s at %s", (timezone, sourceTimestamp, expected) => {
    const result = computeDateTime({ sourceTimestamp, timezone, operation: "ADD_OFFSET", offsetMinutes: 0 });
    expect(result.computedValue).toBe(expected);
  });

  it("agrees with Intl on the offset and the wall time for any instant in 0001–9999", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: YEAR_ONE_MS, max: END_MS - 1 }),
        fc.constantFrom(...ZONES),
        fc.constantFrom<DateTimeOperation>("ADD_OFFSET", "SUBTRACT_OFFSET"),
        fc.integer({ min: 0, max: 60 * 24 * 400 }),
        fc.integer({ min: 0, max: 3 }),
        (sourceMs, timezone, operation, offsetMinutes, precision) => {
          const input = { sourceTimestamp: utcText(sourceMs), timezone, operation, offsetMinutes, precision };
          const unit = 10 ** (3 - precision);
          const target =
            Math.floor(sourceMs / unit) * unit +
            (operation === "ADD_OFFSET" ? 1 : -1) * offsetMinutes * 60_000;
          const offset = intlOffsetSeconds(target, timezone);
          const localYear = new Date(target + offset * 1000).getUTCFullYear();
          const codes = validateDateTimeInput(input).issues.map((i) => i.code);
          if (target < YEAR_ONE_MS || target >= END_MS || localYear < 1 || localYear > 9999) {
            expect(codes).toEqual(["out-of-range"]);
          } else if (offset % 60 !== 0) {
            // Local mean time (e.g. -04:56:02): RFC 3339 cannot write it; refused, never rounded.
            expect(codes).toEqual(["offset-not-representable"]);
          } else {
            expect(codes).toEqual([]);
            const result = computeDateTime(input);
            expect(result.epochMs).toBe(target);
            expect(result.computedValue).toBe(oracleLocal(target, offset, precision));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("agrees with Intl near every year's transitions in far-future years", () => {
    // Instants in March/April and October/November of years 2030–9998, where DST rules switch. Year 9999
    // is left out: 61 days from 1 November reach 1 January 10000, whose local time the product refuses.
    const nearTransition = fc
      .record({
        year: fc.integer({ min: 2030, max: 9998 }),
        month: fc.constantFrom(2, 3, 9, 10),
        minute: fc.integer({ min: 0, max: 61 * 24 * 60 - 1 }),
      })
      .map(({ year, month, minute }) => Date.UTC(year, month, 1) + minute * 60_000);
    fc.assert(
      fc.property(nearTransition, fc.constantFrom(...ZONES), (target, timezone) => {
        const offset = intlOffsetSeconds(target, timezone);
        const input = {
          sourceTimestamp: utcText(target),
          timezone,
          operation: "ADD_OFFSET" as const,
          offsetMinutes: 0,
        };
        expect(computeDateTime(input).computedValue).toBe(oracleLocal(target, offset, 3));
      }),
      { numRuns: 2000 },
    );
  });
});
