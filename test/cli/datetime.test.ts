/** `cxda datetime compute|apply` end to end through the built CLI (run `npx tsc -p tsconfig.build.json` first). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainDateTime } from "../../src/domain/datetime.js";
import {
  api,
  createAction,
  type Emulator,
  scriptAction,
  UNTHROTTLED,
  useTestEmulator,
} from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
let token: string;
useTestEmulator(
  UNTHROTTLED,
  (running) => {
    ({ emulator, token } = running);
  },
  { resetEach: false },
);

const SEED = [
  "--source",
  "2024-02-29T15:30:00.000Z",
  "--timezone",
  "America/New_York",
  "--operation",
  "ADD_OFFSET",
  "--minutes",
  "120",
];

/** The seed's flags with one flag's value replaced (or added). */
function withFlag(flag: string, value: string): string[] {
  const args = [...SEED];
  const at = args.indexOf(flag);
  if (at < 0) args.push(flag, value);
  else args[at + 1] = value;
  return args;
}

describe("cxda datetime compute (offline)", () => {
  it("prints the source, the result in the zone and in UTC, and the offsets before and after", async () => {
    const result = await runCxda(["datetime", "compute", ...SEED]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("source      2024-02-29T15:30:00.000Z");
    expect(result.stdout).toContain("= 2024-02-29T10:30:00.000-05:00 in America/New_York");
    expect(result.stdout).toContain("result      2024-02-29T12:30:00.000-05:00");
    expect(result.stdout).toContain("result UTC  2024-02-29T17:30:00.000Z");
    expect(result.stdout).toContain("UTC offset  -05:00 before → -05:00 after");
  });

  it("shows both offsets across the America/New_York fall-back, in --json too", async () => {
    const args = [
      "datetime",
      "compute",
      "--source",
      "2024-11-03T01:30:00-04:00",
      "--timezone",
      "America/New_York",
      "--operation",
      "ADD_OFFSET",
      "--minutes",
      "60",
    ];
    const human = await runCxda(args);
    expect(human.stdout).toContain("result      2024-11-03T01:30:00.000-05:00");
    expect(human.stdout).toMatch(/-04:00 before → -05:00 after .*changed its offset/);
    const machine = await runCxda([...args, "--precision", "0", "--json"]);
    expect(machine.code).toBe(0);
    expect(json(machine)).toMatchObject({
      schemaVersion: 1,
      computedValue: "2024-11-03T01:30:00-05:00",
      computedUtc: "2024-11-03T06:30:00Z",
      epochMs: Date.UTC(2024, 10, 3, 6, 30),
      offsetBefore: "-04:00",
      offsetAfter: "-05:00",
      precision: 0,
      accurate: true,
    });
  });

  it.each<[string, string[], string, string]>([
    ["a word as the source", withFlag("--source", "yesterday"), "--source", "YYYY-MM-DDTHH:MM:SS"],
    ["month 13", withFlag("--source", "2024-13-01T00:00:00Z"), "--source", "month 13 does not exist"],
    ["an unknown zone", withFlag("--timezone", "Mars/Olympus"), "--timezone", "IANA time zone"],
    ["1e12 minutes", withFlag("--minutes", "1e12"), "--minutes", "whole number of minutes from 0 to"],
    ["minutes that are not a number", withFlag("--minutes", "ten"), "--minutes", '"ten" is not a number'],
    ["fractional minutes", withFlag("--minutes", "1.5"), "--minutes", "not whole"],
    ["precision 7", withFlag("--precision", "7"), "--precision", "integer from 0 to 3"],
    ["operation MULTIPLY", withFlag("--operation", "MULTIPLY"), "--operation", "ADD_OFFSET, SUBTRACT_OFFSET"],
  ])(
    "refuses %s with exit 65, naming the flag, the field and the accepted form",
    async (_label, args, flag, text) => {
      const result = await runCxda(["datetime", "compute", ...args]);
      expect(result.code).toBe(65);
      expect(result.stderr).toContain(`${flag}: `);
      expect(result.stderr).toContain(text);
      const machine = await runCxda(["datetime", "compute", ...args, "--json"]);
      expect(machine.code).toBe(65);
      const body = json(machine);
      expect(body).toMatchObject({ error: { code: "validation-failed", exitCode: 65 } });
      expect((body.error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([flag]);
    },
  );

  it("reports every bad flag at once", async () => {
    const result = await runCxda([
      "datetime",
      "compute",
      "--source",
      "yesterday",
      "--timezone",
      "Mars/Olympus",
      "--operation",
      "MULTIPLY",
      "--minutes",
      "1e12",
      "--precision",
      "7",
      "--json",
    ]);
    expect(result.code).toBe(65);
    expect((json(result).error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      "--source",
      "--timezone",
      "--operation",
      "--minutes",
      "--precision",
    ]);
  });

  it("treats a missing flag as a usage error (exit 64)", async () => {
    const result = await runCxda(["datetime", "compute", "--source", "2024-01-01T00:00:00Z"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("--timezone");
  });
});

describe("cxda datetime apply", () => {
  it("writes config.dateProcessing to the action and appends one audit line", async () => {
    const created = await createAction(emulator, token, scriptAction("cli_dt_apply"));
    const dir = scratchDir();
    const result = await runCxda(
      [
        "datetime",
        "apply",
        "cli_dt_apply",
        ...SEED,
        "--target-field",
        "callback_local",
        "--base-url",
        emulator.url,
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("applied to cli_dt_apply");
    expect(result.stdout).toMatch(/computedValue\s+2024-02-29T12:30:00\.000-05:00/);
    const stored = await api(emulator, "GET", `/api/v2/dataactions/${created.id}`, { token });
    expect(stored.body.version).toBe(2);
    expect(stored.body.config.dateProcessing).toEqual({
      sourceField: "input_datetime",
      targetField: "callback_local",
      sourceTimestamp: "2024-02-29T15:30:00.000Z",
      operation: "ADD_OFFSET",
      offsetMinutes: 120,
      timezone: "America/New_York",
      precision: 3,
      computedValue: "2024-02-29T12:30:00.000-05:00",
      computedUtc: "2024-02-29T17:30:00.000Z",
    });
    const lines = readFileSync(join(dir, "cxda-audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      operation: "datetime.apply",
      outcome: "success",
      target: { id: created.id, name: "cli_dt_apply" },
      details: { accuracy: { ok: true }, output: { computedUtc: "2024-02-29T17:30:00.000Z" } },
    });
  });

  it("keeps the field names the action has when the flags do not give them", async () => {
    const created = await createAction(emulator, token, scriptAction("cli_dt_keep"));
    const cxda = (args: string[]) =>
      runCxda(["datetime", "apply", "cli_dt_keep", ...args, "--base-url", emulator.url]);
    const first = await cxda([...SEED, "--source-field", "callback_at", "--target-field", "callback_local"]);
    expect(first.code, first.stderr).toBe(0);
    const again = await cxda([
      "--source",
      "2024-02-29T15:30:00.000Z",
      "--timezone",
      "America/New_York",
      "--operation",
      "ADD_OFFSET",
      "--minutes",
      "60",
    ]);
    expect(again.code, again.stderr).toBe(0);
    const stored = await api(emulator, "GET", `/api/v2/dataactions/${created.id}`, { token });
    expect(stored.body.config.dateProcessing).toMatchObject({
      sourceField: "callback_at",
      targetField: "callback_local",
      offsetMinutes: 60,
    });
    const renamed = await cxda([...SEED, "--target-field", "other_field"]);
    expect(renamed.code, renamed.stderr).toBe(0);
    const after = await api(emulator, "GET", `/api/v2/dataactions/${created.id}`, { token });
    expect(after.body.config.dateProcessing).toMatchObject({
      sourceField: "callback_at",
      targetField: "other_field",
    });
  });

  it("answers --json with the action, the stored value and the offsets", async () => {
    await createAction(emulator, token, scriptAction("cli_dt_json"));
    const result = await runCxda([
      "datetime",
      "apply",
      "cli_dt_json",
      "--source",
      "2024-03-10T01:30:00-05:00",
      "--timezone",
      "America/New_York",
      "--operation",
      "ADD_OFFSET",
      "--minutes",
      "60",
      "--json",
      "--base-url",
      emulator.url,
    ]);
    expect(result.code).toBe(0);
    expect(json(result)).toMatchObject({
      schemaVersion: 1,
      action: { name: "cli_dt_json", version: 2 },
      dateProcessing: {
        computedValue: "2024-03-10T03:30:00.000-04:00",
        computedUtc: "2024-03-10T07:30:00.000Z",
      },
      offsetBefore: "-05:00",
      offsetAfter: "-04:00",
    });
  });

  it("refuses bad input with exit 65 before contacting the server, and an unknown action with exit 1", async () => {
    const unreachable = await runCxda([
      "datetime",
      "apply",
      "anything",
      ...withFlag("--timezone", "Mars/Olympus"),
      "--base-url",
      "http://127.0.0.1:9",
    ]);
    expect(unreachable.code).toBe(65);
    expect(unreachable.stderr).toContain("--timezone: ");
    const badField = await runCxda([
      "datetime",
      "apply",
      "anything",
      ...SEED,
      "--source-field",
      "has space",
      "--base-url",
      "http://127.0.0.1:9",
    ]);
    expect(badField.code).toBe(65);
    expect(badField.stderr).toContain("config.dateProcessing.sourceField");
    const missing = await runCxda([
      "datetime",
      "apply",
      "cli_dt_nobody",
      ...SEED,
      "--json",
      "--base-url",
      emulator.url,
    ]);
    expect(missing.code).toBe(1);
    expect(json(missing)).toMatchObject({ error: { code: "not-found", status: 404 } });
  });
});

describe("README: Date/time processing", () => {
  it("shows the New York examples and the reference example exactly as the code computes them", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Date/time processing"), readme.indexOf("## Development"));
    expect(section.length).toBeGreaterThan(0);
    for (const sourceTimestamp of ["2024-03-10T01:30:00-05:00", "2024-11-03T01:30:00-04:00"]) {
      const e = explainDateTime({
        sourceTimestamp,
        timezone: "America/New_York",
        operation: "ADD_OFFSET",
        offsetMinutes: 60,
      });
      for (const text of [e.sourceUtc, e.computedValue, e.computedUtc]) expect(section).toContain(text);
      expect(e.offsetBefore).not.toBe(e.offsetAfter);
    }
    const seed = explainDateTime({
      sourceTimestamp: "2024-02-29T15:30:00.000Z",
      timezone: "America/New_York",
      operation: "ADD_OFFSET",
      offsetMinutes: 120,
    });
    expect(section).toContain(seed.computedValue);
  });
});
