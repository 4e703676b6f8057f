import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionNameProblem,
  MAX_SCRIPT_BYTES,
  quote,
  validateActionPayload,
  validateDependencyNames,
} from "../../src/domain/action-rules.js";
import { ActionInputSchema } from "../../src/domain/action-schema.js";

type Payload = Record<string, unknown>;

const MAIN = "function main(context) { return context.input; }";

function scriptAction(overrides: Payload = {}): Payload {
  return {
    name: "lead_enrichment_v2",
    description: "Enrich a lead",
    type: "SCRIPT",
    enabled: true,
    trigger: { type: "MANUAL" },
    script: { language: "JavaScript", content: MAIN },
    config: { headers: { "X-Source": "cxda" }, dateProcessing: null },
    dependencies: ["base_transform"],
    ...overrides,
  };
}

function httpAction(overrides: Payload = {}): Payload {
  return {
    name: "fetch_lead",
    type: "HTTP",
    config: { request: { method: "GET", urlTemplate: "https://api.example.com/leads/{id}" } },
    ...overrides,
  };
}

describe("validateActionPayload: valid payloads", () => {
  it.each<[string, Payload]>([
    ["a complete script action", scriptAction()],
    [
      "a minimal SCRIPT action",
      { name: "abc", type: "SCRIPT", script: { language: "JavaScript", content: MAIN } },
    ],
    ["an HTTP action", httpAction()],
    [
      "an HTTP action with headers and date processing",
      httpAction({
        config: {
          ...(httpAction().config as Payload),
          headers: { A: "1", B: null },
          dateProcessing: {
            sourceField: "input_datetime",
            targetField: "processed_datetime",
            sourceTimestamp: "2024-02-29T15:30:00.000Z",
            operation: "ADD_OFFSET",
            offsetMinutes: 120,
            timezone: "America/New_York",
            precision: 3,
            computedValue: "2024-02-29T12:30:00.000-05:00",
            computedUtc: "2024-02-29T17:30:00.000Z",
          },
        },
      }),
    ],
    ["a body version", scriptAction({ version: 3 })],
    ["locked and disabled", scriptAction({ locked: true, enabled: false })],
    ["null script on an HTTP action (merge-patch removal)", httpAction({ script: null })],
    ["a description of exactly 1 024 characters", scriptAction({ description: "d".repeat(1024) })],
    [
      "a script of exactly 65 536 bytes",
      scriptAction({
        script: { language: "JavaScript", content: MAIN + " ".repeat(MAX_SCRIPT_BYTES - MAIN.length) },
      }),
    ],
    ["100 dependencies", scriptAction({ dependencies: Array.from({ length: 100 }, (_, i) => `dep_${i}`) })],
    [
      "names of length 3 and 64 with every allowed character",
      scriptAction({ name: "a-_", dependencies: [`A${"z9_-".repeat(15)}xyz`] }),
    ],
  ])("accepts %s", (_label, payload) => {
    expect(validateActionPayload(payload)).toEqual({ ok: true, issues: [] });
    // The schema agrees with the rules on what is valid.
    expect(ActionInputSchema.safeParse(payload).success).toBe(true);
  });
});

/** [label, payload, path, code, texts the message must contain] */
type Case = [string, unknown, string, string, string[]];

describe("validateActionPayload: one rule at a time", () => {
  it.each<Case>([
    // the payload itself
    ["not an object", [1, 2], "", "validation-failed", ["JSON object", "array"]],
    ["null", null, "", "validation-failed", ["JSON object", "null"]],
    // unknown and server fields
    [
      "unknown key",
      scriptAction({ colour: "red" }),
      "colour",
      "validation-failed",
      ['"colour"', "unknown field", "remove it"],
    ],
    [
      "server field id",
      scriptAction({ id: "x" }),
      "id",
      "validation-failed",
      ["set by the server", "remove it"],
    ],
    [
      "server timestamp",
      scriptAction({ createdTimestamp: 1 }),
      "createdTimestamp",
      "validation-failed",
      ["set by the server"],
    ],
    // name
    ["missing name", scriptAction({ name: undefined }), "name", "validation-failed", ["required"]],
    [
      "name not a string",
      scriptAction({ name: 42 }),
      "name",
      "validation-failed",
      ["expected a string", "integer"],
    ],
    [
      "name too short",
      scriptAction({ name: "ab" }),
      "name",
      "validation-failed",
      ["2 characters", "minimum is 3", "A–Z"],
    ],
    [
      "name too long",
      scriptAction({ name: "a".repeat(65) }),
      "name",
      "validation-failed",
      ["65 characters", "maximum is 64"],
    ],
    [
      "name with a space",
      scriptAction({ name: "lead enrich" }),
      "name",
      "validation-failed",
      ['" "', "position 5", "'_' and '-'"],
    ],
    [
      "name with a dot",
      scriptAction({ name: "lead.v2" }),
      "name",
      "validation-failed",
      ['"."', "position 5"],
    ],
    [
      "name with non-ASCII",
      scriptAction({ name: "café_v2" }),
      "name",
      "validation-failed",
      ['"é"', "position 4"],
    ],
    // type
    [
      "missing type",
      scriptAction({ type: undefined }),
      "type",
      "validation-failed",
      ["required", "SCRIPT or HTTP"],
    ],
    [
      "unknown type",
      scriptAction({ type: "LAMBDA" }),
      "type",
      "validation-failed",
      ['"LAMBDA"', "SCRIPT or HTTP"],
    ],
    ["lower-case type", scriptAction({ type: "script" }), "type", "validation-failed", ['"script"']],
    ["type not a string", scriptAction({ type: 1 }), "type", "validation-failed", ["expected a string"]],
    // description, enabled, locked, version
    [
      "description not a string",
      scriptAction({ description: 5 }),
      "description",
      "validation-failed",
      ["expected a string"],
    ],
    [
      "description too long",
      scriptAction({ description: "d".repeat(1025) }),
      "description",
      "validation-failed",
      ["1025 characters", "maximum is 1024"],
    ],
    [
      "enabled not a boolean",
      scriptAction({ enabled: "yes" }),
      "enabled",
      "validation-failed",
      ["expected a boolean", "string"],
    ],
    [
      "locked not a boolean",
      scriptAction({ locked: 1 }),
      "locked",
      "validation-failed",
      ["expected a boolean"],
    ],
    ["version zero", scriptAction({ version: 0 }), "version", "validation-failed", ["≥ 1", "got 0"]],
    ["version as a string", scriptAction({ version: "1" }), "version", "validation-failed", ["got string"]],
    // trigger
    [
      "trigger not an object",
      scriptAction({ trigger: "MANUAL" }),
      "trigger",
      "validation-failed",
      ["expected an object", "MANUAL"],
    ],
    [
      "trigger type SCHEDULED",
      scriptAction({ trigger: { type: "SCHEDULED" } }),
      "trigger.type",
      "validation-failed",
      ['"SCHEDULED"', '"MANUAL"'],
    ],
    [
      "trigger without type",
      scriptAction({ trigger: {} }),
      "trigger.type",
      "validation-failed",
      ["undefined", '"MANUAL"'],
    ],
    [
      "trigger extra key",
      scriptAction({ trigger: { type: "MANUAL", cron: "* * * * *" } }),
      "trigger.cron",
      "validation-failed",
      ["unknown field"],
    ],
    // script
    [
      "SCRIPT without script",
      scriptAction({ script: undefined }),
      "script",
      "validation-failed",
      ["SCRIPT action needs a script"],
    ],
    [
      "SCRIPT with null script",
      scriptAction({ script: null }),
      "script",
      "validation-failed",
      ["needs a script"],
    ],
    [
      "script as a string",
      scriptAction({ script: MAIN }),
      "script",
      "validation-failed",
      ["expected an object", "got string"],
    ],
    [
      "script language Python",
      scriptAction({ script: { language: "Python", content: MAIN } }),
      "script.language",
      "validation-failed",
      ['"Python"', '"JavaScript"'],
    ],
    [
      "script content missing",
      scriptAction({ script: { language: "JavaScript" } }),
      "script.content",
      "validation-failed",
      ["expected a string"],
    ],
    [
      "script extra key",
      scriptAction({ script: { language: "JavaScript", content: MAIN, runtime: "node" } }),
      "script.runtime",
      "validation-failed",
      ["unknown field"],
    ],
    [
      "script one byte too big",
      scriptAction({
        script: { language: "JavaScript", content: MAIN + " ".repeat(MAX_SCRIPT_BYTES - MAIN.length + 1) },
      }),
      "script.content",
      "validation-failed",
      ["65537 bytes", "maximum is 65536"],
    ],
    [
      "script too big in UTF-8 only",
      scriptAction({ script: { language: "JavaScript", content: `${MAIN}//${"é".repeat(33_000)}` } }),
      "script.content",
      "validation-failed",
      ["bytes of UTF-8", "maximum is 65536"],
    ],
    [
      "script syntax error",
      scriptAction({ script: { language: "JavaScript", content: "function main(c) {\n  return c.;\n}" } }),
      "script.content",
      "script-syntax",
      ["line 2, column 12"],
    ],
    [
      "script without main",
      scriptAction({ script: { language: "JavaScript", content: "function run() {}" } }),
      "script.content",
      "validation-failed",
      ["no top-level function `main`"],
    ],
    [
      "main not a function",
      scriptAction({ script: { language: "JavaScript", content: "const main = 1;" } }),
      "script.content",
      "validation-failed",
      ["not a plain or async function"],
    ],
    // config and HTTP
    [
      "HTTP without request",
      httpAction({ config: {} }),
      "config.request",
      "validation-failed",
      ["HTTP action needs a request"],
    ],
    [
      "HTTP without config",
      httpAction({ config: undefined }),
      "config.request",
      "validation-failed",
      ["HTTP action needs a request"],
    ],
    [
      "config not an object",
      scriptAction({ config: [] }),
      "config",
      "validation-failed",
      ["expected an object", "array"],
    ],
    [
      "config extra key",
      scriptAction({ config: { retries: 3 } }),
      "config.retries",
      "validation-failed",
      ["unknown field"],
    ],
    [
      "request method TRACE",
      httpAction({ config: { request: { method: "TRACE", urlTemplate: "https://x.example" } } }),
      "config.request.method",
      "validation-failed",
      ['"TRACE"', "GET, POST, PUT, PATCH, DELETE"],
    ],
    [
      "request url ftp",
      httpAction({ config: { request: { method: "GET", urlTemplate: "ftp://x.example" } } }),
      "config.request.urlTemplate",
      "validation-failed",
      ["http:// or https://"],
    ],
    [
      "request url relative",
      httpAction({ config: { request: { method: "GET", urlTemplate: "/leads" } } }),
      "config.request.urlTemplate",
      "validation-failed",
      ["absolute"],
    ],
    [
      "request url with a space",
      httpAction({ config: { request: { method: "GET", urlTemplate: "https://x.example/a b" } } }),
      "config.request.urlTemplate",
      "validation-failed",
      ["without spaces"],
    ],
    [
      "request url with a control character (as a header value would be refused)",
      httpAction({
        config: { request: { method: "GET", urlTemplate: "https://x.example/a\u0001b\u007f\u0085" } },
      }),
      "config.request.urlTemplate",
      "validation-failed",
      [
        "control character U+0001 at position 20",
        "DEL at position 22",
        "control character U+0085 at position 23",
      ],
    ],
    [
      "request url with a NUL in the host",
      httpAction({ config: { request: { method: "GET", urlTemplate: "https://x\u0000.example/" } } }),
      "config.request.urlTemplate",
      "validation-failed",
      ["NUL at position 10", "remove them"],
    ],
    [
      "request url not a string",
      httpAction({ config: { request: { method: "GET", urlTemplate: 7 } } }),
      "config.request.urlTemplate",
      "validation-failed",
      ["expected an absolute http(s) URL string"],
    ],
    [
      "request extra key",
      httpAction({ config: { request: { method: "GET", urlTemplate: "https://x.example", body: "" } } }),
      "config.request.body",
      "validation-failed",
      ["unknown field"],
    ],
    [
      "headers not an object",
      scriptAction({ config: { headers: "X-A: 1" } }),
      "config.headers",
      "validation-failed",
      ["expected an object"],
    ],
    [
      "header value a number",
      scriptAction({ config: { headers: { "X-Count": 3 } } }),
      "config.headers.X-Count",
      "validation-failed",
      ["must be a string", "number"],
    ],
    [
      "reserved header (validateHeaders)",
      scriptAction({ config: { headers: { Host: "example.com" } } }),
      "config.headers.Host",
      "validation-failed",
      ["reserved"],
    ],
    [
      "header value with a line break",
      scriptAction({ config: { headers: { "X-A": "one\r\ntwo" } } }),
      "config.headers.X-A",
      "validation-failed",
      ["RFC 9110"],
    ],
    [
      "headers differing only in case",
      scriptAction({ config: { headers: { "X-A": "1", "x-a": "2" } } }),
      "config.headers.x-a",
      "validation-failed",
      ["case-insensitive"],
    ],
    [
      "dateProcessing labelling a local time with Z",
      httpAction({
        config: {
          ...(httpAction().config as Payload),
          dateProcessing: {
            sourceField: "input_datetime",
            targetField: "processed_datetime",
            sourceTimestamp: "2024-02-29T15:30:00.000Z",
            operation: "ADD_OFFSET",
            offsetMinutes: 120,
            timezone: "UTC",
            precision: 3,
            computedValue: "2024-02-29T17:30:00.000Z",
            computedUtc: "2024-02-29T17:30:00.000Z",
          },
        },
      }),
      "config.dateProcessing.computedValue",
      "invalid-timestamp",
      ["numeric offset"],
    ],
    [
      "dateProcessing a string",
      scriptAction({ config: { dateProcessing: "daily" } }),
      "config.dateProcessing",
      "validation-failed",
      ["an object or null"],
    ],
    // dependencies
    [
      "dependencies not an array",
      scriptAction({ dependencies: "base_transform" }),
      "dependencies",
      "validation-failed",
      ["expected an array"],
    ],
    [
      "dependency not a string",
      scriptAction({ dependencies: [7] }),
      "dependencies[0]",
      "validation-failed",
      ["expected an action name string"],
    ],
    [
      "dependency with a bad name",
      scriptAction({ dependencies: ["ok_name", "x"] }),
      "dependencies[1]",
      "validation-failed",
      ['"x"', "not a valid action name", "minimum is 3"],
    ],
    [
      "duplicate dependency",
      scriptAction({ dependencies: ["base", "other", "base"] }),
      "dependencies[2]",
      "validation-failed",
      ["already listed at dependencies[0]", "remove the duplicate"],
    ],
    [
      "self dependency",
      scriptAction({ dependencies: ["lead_enrichment_v2"] }),
      "dependencies[0]",
      "dependency-cycle",
      ["cannot depend on itself", "lead_enrichment_v2 → lead_enrichment_v2"],
    ],
    [
      "101 dependencies",
      scriptAction({ dependencies: Array.from({ length: 101 }, (_, i) => `dep_${i}`) }),
      "dependencies",
      "validation-failed",
      ["101 actions", "maximum is 100"],
    ],
  ])("%s", (_label, payload, path, code, texts) => {
    const result = validateActionPayload(payload);
    expect(result.ok).toBe(false);
    expect(result.issues).toHaveLength(1);
    const [found] = result.issues;
    expect(found).toMatchObject({ path, code });
    for (const text of texts) expect(found!.message).toContain(text);
  });
});

describe("validateActionPayload: bad input at scale", () => {
  it("reports every problem at once", () => {
    const result = validateActionPayload({
      name: "x",
      type: "SCRIPT",
      enabled: "no",
      script: { language: "JavaScript", content: "function main( {" },
      dependencies: ["a b", "abc", "abc"],
      extra: true,
    });
    expect(result.issues.map((i) => i.path)).toEqual([
      "extra",
      "name",
      "enabled",
      "script.content",
      "dependencies[0]",
      "dependencies[2]",
    ]);
  });

  it("gives a 10 000-character name one short issue", () => {
    const name = "n".repeat(10_000);
    const result = validateActionPayload(scriptAction({ name }));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.message).toContain("10000 characters");
    expect(result.issues[0]!.message.length).toBeLessThan(200);
  });

  it("refuses a 10 MB script by its size alone, without parsing it", () => {
    const content = `function main( {${" ".repeat(10 * 1024 * 1024)}`;
    const result = validateActionPayload(scriptAction({ script: { language: "JavaScript", content } }));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ path: "script.content", code: "validation-failed" });
    expect(result.issues[0]!.message).toContain("maximum is 65536");
  });

  it("gives a list of 10 000 dependencies one issue", () => {
    const dependencies = Array.from({ length: 10_000 }, () => "not valid!");
    const result = validateActionPayload(scriptAction({ dependencies }));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.message).toContain("10000 actions");
  });

  it("caps the issues for thousands of unknown keys", () => {
    const payload = scriptAction();
    for (let i = 0; i < 5_000; i++) payload[`k${i}`] = i;
    const result = validateActionPayload(payload);
    expect(result.issues).toHaveLength(11);
    expect(result.issues[10]!.message).toContain("4990 more unknown fields");
  });

  it("cuts a very long unknown key in the issue path and message", () => {
    const key = "k".repeat(5_000);
    const [found] = validateActionPayload(scriptAction({ [key]: 1 })).issues;
    expect(found!.path).toBe(`${"k".repeat(64)}…`);
    expect(found!.message.length).toBeLessThan(300);
  });

  it("never names a header value in a message (values may be secrets)", () => {
    const result = validateActionPayload(
      scriptAction({ config: { headers: { Authorization: { token: "s3cr3t-value" } } } }),
    );
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("s3cr3t-value");
  });

  it("never throws and never echoes more than 40 characters of a long input", () => {
    const long = fc.string({ minLength: 41, maxLength: 300 });
    const field = fc.constantFrom(
      "name",
      "type",
      "description",
      "trigger",
      "script",
      "config",
      "dependencies",
    );
    fc.assert(
      fc.property(field, long, fc.anything(), (key, text, junk) => {
        const marker = `${text}|END`;
        for (const value of [marker, [marker], { type: marker }, junk]) {
          const result = validateActionPayload(scriptAction({ [key]: value }));
          for (const found of result.issues) expect(found.message).not.toContain(marker.slice(0, 60));
        }
        expect(() => validateActionPayload(junk)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it("accepts nothing the schema refuses, on random payload variations", () => {
    const names = fc.constantFrom("abc", "lead_v2", "x", "bad name", 5);
    const types = fc.constantFrom("SCRIPT", "HTTP", "OTHER", undefined);
    const scripts = fc.constantFrom(
      { language: "JavaScript", content: MAIN },
      { language: "JavaScript", content: "nope(" },
      { language: "TS", content: MAIN },
      null,
      undefined,
    );
    const configs = fc.constantFrom(
      undefined,
      null,
      { request: { method: "GET", urlTemplate: "https://x.example/a" } },
      { request: { method: "GET", urlTemplate: "x" } },
      { headers: { A: "1" } },
      { headers: { A: 1 } },
    );
    const deps = fc.constantFrom(undefined, [], ["abc"], ["base", "base"], ["b!"]);
    fc.assert(
      fc.property(names, types, scripts, configs, deps, (name, type, script, config, dependencies) => {
        const payload: Payload = { name, type, script, config, dependencies };
        for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
        if (validateActionPayload(payload).ok)
          expect(ActionInputSchema.safeParse(payload).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("helpers", () => {
  it("quote cuts long input to 40 characters", () => {
    expect(quote("short")).toBe('"short"');
    expect(quote("a".repeat(100))).toBe(`"${"a".repeat(40)}"…`);
    expect(quote("😀".repeat(50))).toBe(`"${"😀".repeat(40)}"…`);
  });

  it("actionNameProblem is undefined exactly for valid names", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (name) => {
        expect(actionNameProblem(name) === undefined).toBe(/^[A-Za-z0-9_-]{3,64}$/.test(name));
      }),
    );
  });

  it("validateDependencyNames checks a list on its own", () => {
    expect(validateDependencyNames(["abc", "def"], "ghi")).toEqual([]);
    expect(validateDependencyNames(["abc"], "abc")[0]!.code).toBe("dependency-cycle");
    expect(validateDependencyNames({}, "abc")[0]!.path).toBe("dependencies");
  });
});

describe("validateActionPayload: structured paths", () => {
  it("gives every issue its segments, and reports config under the configPath it is given", () => {
    const payload = httpAction({ config: { request: { method: "GET", urlTemplate: "ftp://x" } } });
    const api = validateActionPayload(payload).issues;
    expect(api).toEqual([expect.objectContaining({ path: "config.request.urlTemplate" })]);
    expect(api[0]!.segments).toEqual(["config", "request", "urlTemplate"]);
    expect(api[0]!.message).toMatch(/^config\.request\.urlTemplate: "ftp:\/\/x" is not an absolute/);
    const file = validateActionPayload(payload, { configPath: [] }).issues;
    expect(file[0]!.segments).toEqual(["request", "urlTemplate"]);
    expect(file[0]!.message).toMatch(/^request\.urlTemplate: "ftp:\/\/x" is not an absolute/);
  });
});
