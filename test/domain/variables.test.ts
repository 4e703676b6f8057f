import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_VARIABLES,
  type Variable,
  VariableSchema,
  validateVariables,
} from "../../src/domain/variables.js";

const ok = { name: "apiBase", type: "string", value: "https://x", encrypted: false, scope: "action" };
const one = (patch: Record<string, unknown>, scope: "action" | "global" = "action") =>
  validateVariables([{ ...ok, ...patch }], { scope });

describe("validateVariables: one table per rule", () => {
  it.each([
    ["a", true],
    ["apiKey_2", true],
    [`a${"b".repeat(63)}`, true],
    [`a${"b".repeat(64)}`, false],
    ["_hidden", false],
    ["2fast", false],
    ["has-dash", false],
    ["naïve", false],
    ["", false],
    ["__proto__", false],
    ["constructor", false],
    ["prototype", false],
  ])("name %j accepted: %s", (name, accepted) => {
    const result = one({ name });
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result.issues[0]!.path).toBe("variables[0].name");
  });

  it("explains reserved names", () => {
    expect(one({ name: "__proto__" }).issues[0]!.message).toBe(
      "Variable name '__proto__' is reserved (it clashes with JavaScript object internals); choose another name",
    );
    expect(one({ name: "constructor" }).issues[0]!.message).toContain("'constructor' is reserved");
  });

  it.each([
    ["string", "anything at all", true],
    ["integer", "42", true],
    ["integer", "-7", true],
    ["integer", "0", true],
    ["integer", "9007199254740991", true],
    ["integer", "9007199254740992", false],
    ["integer", "4.2", false],
    ["integer", "042", false],
    ["integer", " 42", false],
    ["integer", "1e3", false],
    ["integer", "", false],
    ["boolean", "true", true],
    ["boolean", "false", true],
    ["boolean", "TRUE", false],
    ["boolean", "1", false],
    ["object", '{"a":1}', true],
    ["object", "{}", true],
    ["object", "[1,2]", false],
    ["object", "null", false],
    ["object", '"text"', false],
    ["object", "{a:1}", false],
  ])("type %s with value %j accepted: %s", (type, value, accepted) => {
    const result = one({ type, value });
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result.issues[0]!.path).toBe("variables[0].value");
  });

  it("refuses unknown types, listing the accepted ones", () => {
    expect(one({ type: "float", value: "1.5" }).issues.map((i) => i.message)).toEqual([
      "type of 'apiBase' 'float' is not accepted; accepted types: string, integer, boolean, object (write decimals as a string)",
    ]);
    expect(one({ type: undefined }).issues[0]!.message).toContain("type of 'apiBase' is missing");
  });

  it("wants the value as a string and says how to write it", () => {
    expect(one({ type: "integer", value: 42 }).issues[0]!.message).toBe(
      `value of 'apiBase' must be a string; write 42 as "42"`,
    );
    expect(one({ value: null }).issues[0]!.message).toContain("must be a string; give a value");
    expect(one({ type: "object", value: { a: 1 } }).issues[0]!.message).toContain("write the JSON as text");
  });

  it("caps the value at 4096 UTF-8 bytes", () => {
    expect(one({ value: "x".repeat(4096) }).ok).toBe(true);
    expect(one({ value: "é".repeat(2049) }).issues[0]!.message).toContain(
      "is 4098 UTF-8 bytes; the limit is 4096",
    );
  });

  it("checks encrypted is a boolean and defaults it to false", () => {
    expect(one({ encrypted: undefined }).ok).toBe(true);
    expect(one({ encrypted: "yes" }).issues[0]!.path).toBe("variables[0].encrypted");
  });

  it.each([
    ["action", undefined, true, ""],
    ["action", "action", true, ""],
    ["action", "global", false, "scope-violation"],
    ["action", "template", false, "scope-violation"],
    ["global", "global", true, ""],
    ["global", undefined, true, ""],
    ["global", "action", false, "scope-violation"],
    ["action", "tenant", false, "validation-failed"],
  ] as const)("at %s level, scope %j accepted: %s", (level, scope, accepted, code) => {
    const result = one({ scope }, level);
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result.issues[0]!.code).toBe(code);
  });

  it("refuses unknown fields, such as a typo of encrypted", () => {
    const result = one({ encrypt: true });
    expect(result.issues[0]!.message).toContain("unknown field 'encrypt'");
  });

  it("names every duplicated name, ignoring case", () => {
    const result = validateVariables(
      [
        { ...ok, name: "apiKey" },
        { ...ok, name: "region" },
        { ...ok, name: "APIKEY" },
        { ...ok, name: "region" },
        { ...ok, name: "unique" },
      ],
      { scope: "action" },
    );
    const collisions = result.issues.filter((i) => i.code === "variable-collision");
    expect(collisions).toHaveLength(2);
    expect(collisions[0]!.message).toContain("'apiKey' at variables[0], 'APIKEY' at variables[2]");
    expect(collisions[1]!.message).toContain("'region' at variables[1], 'region' at variables[3]");
  });

  it("refuses a list that is not an array, with a hint for a double-nested body", () => {
    expect(validateVariables({ variables: [ok] }, { scope: "action" }).issues[0]!.message).toContain(
      "pass that list itself",
    );
    expect(validateVariables("nope", { scope: "global" }).ok).toBe(false);
    expect(validateVariables([null, 3], { scope: "action" }).issues.map((i) => i.path)).toEqual([
      "variables[0]",
      "variables[1]",
    ]);
  });

  it("reports every problem at once", () => {
    const result = validateVariables([{ name: "__proto__", type: "float", value: 1, scope: "global" }], {
      scope: "action",
    });
    expect(result.issues.map((i) => i.path).sort()).toEqual([
      "variables[0].name",
      "variables[0].scope",
      "variables[0].type",
      "variables[0].value",
    ]);
  });

  it("accepts an empty list", () => {
    expect(validateVariables([], { scope: "action" })).toEqual({ ok: true, issues: [] });
  });
});

describe("validateVariables: hostile input", () => {
  it("answers a 10 000-item list with the cap and a bounded report", () => {
    const list = Array.from({ length: 10_000 }, (_, i) => ({ ...ok, name: `v${i}`, type: "float" }));
    const result = validateVariables(list, { scope: "action" });
    expect(result.issues[0]!.message).toBe(
      "variables has 10000 items; at most 50 are allowed per action: remove 9950",
    );
    expect(result.issues.length).toBeLessThanOrEqual(30);
    expect(result.issues.map((i) => i.message)).toContainEqual(
      expect.stringContaining("…and 9980 more items"),
    );
  });

  it("never quotes an encrypted value", () => {
    const secret = "sk_live_0123456789";
    const result = validateVariables(
      [
        { ...ok, type: "object", value: `{${secret}`, encrypted: true },
        { ...ok, name: "pin", type: "integer", value: `${secret}`, encrypted: true },
        { ...ok, name: "n", type: "integer", value: 123456789, encrypted: true },
      ],
      { scope: "action" },
    );
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("sk_live");
    expect(JSON.stringify(result)).not.toContain("123456789");
  });
});

describe("validateVariables: properties", () => {
  const name = fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/)
    .filter((n) => n !== "constructor" && n !== "prototype");
  const typed = fc.oneof(
    fc.record({ type: fc.constant("string"), value: fc.string({ maxLength: 200 }) }),
    fc.record({ type: fc.constant("integer"), value: fc.maxSafeInteger().map(String) }),
    fc.record({ type: fc.constant("boolean"), value: fc.constantFrom("true", "false") }),
    fc.record({
      type: fc.constant("object"),
      value: fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
    }),
  );
  const validList = fc
    .uniqueArray(name, { selector: (n) => n.toLowerCase(), maxLength: MAX_VARIABLES })
    .chain((names) =>
      fc.tuple(...names.map((n) => fc.record({ name: fc.constant(n), typed, encrypted: fc.boolean() }))),
    )
    .map((items) =>
      items.map(({ name: n, typed: t, encrypted }) => ({ name: n, ...t, encrypted, scope: "action" })),
    )
    .filter((items) => items.every((i) => Buffer.byteLength(i.value) <= 4096));

  it("random valid lists are accepted and fit the zod schema", () => {
    fc.assert(
      fc.property(validList, (list) => {
        expect(validateVariables(list, { scope: "action" }).issues).toEqual([]);
        for (const item of list) expect(VariableSchema.parse(item) satisfies Variable).toEqual(item);
      }),
    );
  });

  it("inserting a duplicate always yields a variable-collision naming it", () => {
    fc.assert(
      fc.property(
        validList.filter((l) => l.length > 0 && l.length < MAX_VARIABLES),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (list, pick, at, upper) => {
          const original = list[pick % list.length]!;
          const copyName = upper ? original.name.toUpperCase() : original.name;
          const next = [...list];
          next.splice(at % (list.length + 1), 0, { ...original, name: copyName });
          const collisions = validateVariables(next, { scope: "action" }).issues.filter(
            (i) => i.code === "variable-collision",
          );
          expect(collisions).toHaveLength(1);
          expect(collisions[0]!.message).toContain(`'${original.name}'`);
          expect(collisions[0]!.message).toContain(`'${copyName}'`);
        },
      ),
    );
  });
});
