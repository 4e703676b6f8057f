import { describe, expect, it } from "vitest";
import { MAX_OVERRIDES_PER_ENVIRONMENT, validateOverrides } from "../../src/domain/overrides.js";

const ok = { name: "API_URL", value: "https://api.example.com/v1", masked: false, description: "base url" };
const one = (patch: Record<string, unknown>) => validateOverrides({ variables: [{ ...ok, ...patch }] });
const messages = (patch: Record<string, unknown>) => one(patch).issues.map((i) => i.message);
const environments = ["dev", "staging", "prod"];

describe("validateOverrides: one table per rule", () => {
  it.each([
    ["API_URL", true],
    ["_PRIVATE", true],
    ["X1", true],
    ["api_url", false],
    ["Api_Url", false],
    ["1ST", false],
    ["API-URL", false],
    ["", false],
  ])("name %j accepted: %s", (name, accepted) => {
    const result = one({ name });
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result.issues[0]!.path).toBe("variables[0].name");
  });

  it("refuses a lower-case name naming the rule and the fix", () => {
    expect(messages({ name: "api_key" })).toEqual([
      "Override name 'api_key' must match ^[A-Z_][A-Z0-9_]*$ (upper-case letters, digits and '_', not starting with a digit): write 'API_KEY'",
    ]);
  });

  it.each([
    ["rm -rf /;", "';' at position 9"],
    ["a|b", "'|' at position 2"],
    ["a&&b", "'&' at position 2, '&' at position 3"],
    ["$HOME", "'$' at position 1"],
    ["`id`", "'`' at position 1, '`' at position 4"],
    ["C:\\dir", "'\\' at position 3"],
    ["it's", "''' at position 3"],
    ['say "hi"', "'\"' at position 5, '\"' at position 8"],
    ["é;", "';' at position 2"],
    ["😀;", "';' at position 2"],
  ])("value %j names each metacharacter and its position", (value, fragment) => {
    const [message] = messages({ value });
    expect(message).toContain(`value of 'API_URL' contains shell metacharacters ${fragment};`);
    expect(message).toContain("; | & $ ` \\ ' \"");
  });

  it.each(["plain", "a=b", "https://x/y?z=1#f", "tabs\tand spaces", ""])("value %j is accepted", (value) => {
    expect(one({ value }).ok).toBe(true);
  });

  it("caps values at 1024 characters, counting code points", () => {
    expect(one({ value: "é".repeat(1024) }).ok).toBe(true);
    expect(one({ value: "😀".repeat(1024) }).ok).toBe(true);
    expect(messages({ value: "x".repeat(1025) })).toEqual([
      "value of 'API_URL' has 1025 characters; the limit is 1024: shorten it",
    ]);
    expect(one({ value: 42 }).issues[0]!.message).toBe("value of 'API_URL' must be a string; quote it");
  });

  it.each([
    ["1234", false],
    ["1234567", false],
    ["12345678", true],
    ["***", false],
  ])("masked value %j accepted: %s", (value, accepted) => {
    const result = one({ masked: true, value });
    expect(result.ok).toBe(accepted);
    if (!accepted && value !== "***") expect(result.issues[0]!.message).not.toContain(value);
  });

  it("explains the masked rule and the placeholder", () => {
    expect(messages({ masked: true, value: "1234" })).toEqual([
      "masked value of 'API_URL' is shorter than 8 characters; use a longer secret or set masked: false",
    ]);
    expect(messages({ masked: true, value: "***" })[0]).toContain("is the placeholder '***'");
    expect(one({ masked: "yes", value: "12345678" }).issues[0]!.path).toBe("variables[0].masked");
  });

  it("refuses more than 50 per environment", () => {
    const variables = Array.from({ length: MAX_OVERRIDES_PER_ENVIRONMENT + 1 }, (_, i) => ({
      ...ok,
      name: `V${i}`,
    }));
    expect(validateOverrides({ variables }).issues.map((i) => i.message)).toEqual([
      "variables has 51 items; at most 50 overrides are allowed in an environment: remove 1",
    ]);
    expect(validateOverrides({ variables: variables.slice(1) }).ok).toBe(true);
  });

  it("checks the cap on the resulting set of a PATCH when existing names are given", () => {
    const existingNames = Array.from({ length: 50 }, (_, i) => `E${i}`);
    const patch = { variables: [{ ...ok, name: "NEW" }], remove: [] as string[] };
    expect(validateOverrides(patch, { existingNames }).issues[0]!.message).toContain(
      "would leave 51 overrides",
    );
    expect(validateOverrides({ ...patch, remove: ["E0"] }, { existingNames }).ok).toBe(true);
    expect(validateOverrides({ variables: [{ ...ok, name: "E1" }] }, { existingNames }).ok).toBe(true);
  });

  it.each([
    ["dev", true],
    ["prod", true],
    ["qa", false],
  ])("environment %j is known: %s", (environmentId, accepted) => {
    const result = validateOverrides({ variables: [ok] }, { knownEnvironments: environments, environmentId });
    expect(result.ok).toBe(accepted);
    if (!accepted) {
      expect(result.issues).toEqual([
        {
          path: "environmentId",
          segments: ["environmentId"],
          code: "not-found",
          message: "Environment 'qa' is unknown; known environments: dev, staging, prod",
        },
      ]);
    }
  });

  it("takes the environment from the payload when no option names it", () => {
    expect(
      validateOverrides({ environmentId: "qa", variables: [ok] }, { knownEnvironments: environments }).ok,
    ).toBe(false);
  });

  it("refuses duplicate names", () => {
    const result = validateOverrides([ok, { ...ok, value: "other" }]);
    expect(result.issues).toEqual([
      expect.objectContaining({ path: "variables[1]", code: "variable-collision" }),
    ]);
    expect(result.issues[0]!.message).toContain("'API_URL' appears 2 times (variables[0], variables[1])");
  });

  it("checks remove: names only, not also set", () => {
    expect(validateOverrides({ variables: [], remove: ["OLD"] }).ok).toBe(true);
    expect(validateOverrides({ variables: [ok], remove: ["API_URL"] }).issues[0]!.message).toContain(
      "both set in variables and listed in remove",
    );
    expect(validateOverrides({ variables: [], remove: ["old", 3] }).issues.map((i) => i.path)).toEqual([
      "remove[0]",
      "remove[1]",
    ]);
    expect(validateOverrides({ remove: "OLD" }).issues[0]!.path).toBe("remove");
  });

  it("accepts a bare array and a PATCH body with version", () => {
    expect(validateOverrides([ok]).ok).toBe(true);
    expect(validateOverrides({ variables: [ok], version: 3 }).ok).toBe(true);
    expect(validateOverrides({ variables: [ok], version: "3" }).issues[0]!.path).toBe("version");
  });

  it("refuses unknown item fields and bad shapes", () => {
    expect(messages({ mask: true })[0]).toContain("unknown field 'mask'");
    expect(validateOverrides("API_URL=x").ok).toBe(false);
    expect(validateOverrides({ variables: "x" }).issues[0]!.path).toBe("variables");
    expect(validateOverrides({ variables: [null] }).issues[0]!.path).toBe("variables[0]");
    expect(messages({ description: 5 })[0]).toContain("description of 'API_URL' must be a string");
  });

  it("reports every problem at once", () => {
    const result = validateOverrides(
      {
        variables: [
          { name: "api_key", value: "rm -rf /;", masked: true },
          { name: "PIN", value: "1234", masked: true },
        ],
      },
      { knownEnvironments: environments, environmentId: "qa" },
    );
    expect(result.issues.map((i) => i.path).sort()).toEqual([
      "environmentId",
      "variables[0].name",
      "variables[0].value",
      "variables[1].value",
    ]);
  });
});

describe("validateOverrides: hostile input", () => {
  it("answers an 8 000-character value full of metacharacters briefly", () => {
    const result = validateOverrides([{ name: "CMD", value: ";".repeat(8000) }]);
    expect(result.issues.map((i) => i.message)).toEqual([
      "value of 'CMD' has 8000 characters; the limit is 1024: shorten it",
      expect.stringContaining("';' at position 10 and 7990 more"),
    ]);
    expect(JSON.stringify(result).length).toBeLessThan(1000);
  });

  it("bounds the report for 10 000 bad items", () => {
    const variables = Array.from({ length: 10_000 }, (_, i) => ({ name: `v${i}`, value: "x" }));
    const result = validateOverrides({ variables });
    expect(result.issues.length).toBeLessThanOrEqual(25);
    expect(result.issues.map((i) => i.message)).toContainEqual(expect.stringContaining("…and 9980 more"));
  });

  it("never quotes a masked value", () => {
    const secret = "hunter2-but-longer";
    const result = validateOverrides([
      { name: "SECRET", value: `${secret};${"x".repeat(2000)}`, masked: true, extra: 1 },
    ]);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });
});
