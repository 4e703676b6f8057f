import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DRIFT_KINDS, diffEnvironments, type EnvVar, summarizeDrift } from "../../src/domain/drift.js";

const plain = (name: string, value: string): EnvVar => ({
  name,
  value,
  masked: false,
  fingerprint: `fp:${value}`,
});
const secret = (name: string, fingerprint: string | undefined): EnvVar =>
  fingerprint === undefined
    ? { name, value: "***", masked: true }
    : { name, value: "***", masked: true, fingerprint };

describe("diffEnvironments: one row per kind", () => {
  it.each([
    ["equal plain values", [plain("A", "1")], [plain("A", "1")], []],
    [
      "different plain values",
      [plain("A", "1")],
      [plain("A", "2")],
      [{ name: "A", kind: "value_mismatch", baseline: "1", target: "2" }],
    ],
    ["masked, same fingerprint", [secret("S", "fp1")], [secret("S", "fp1")], []],
    [
      "masked, different fingerprint",
      [secret("S", "fp1")],
      [secret("S", "fp2")],
      [{ name: "S", kind: "masked_mismatch", baseline: "***", target: "***" }],
    ],
    [
      "masked without fingerprints cannot be shown equal",
      [secret("S", undefined)],
      [secret("S", undefined)],
      [{ name: "S", kind: "masked_mismatch", baseline: "***", target: "***" }],
    ],
    [
      "masked vs plain, different fingerprint",
      [secret("S", "fp:abc")],
      [plain("S", "xyz")],
      [{ name: "S", kind: "masked_mismatch", baseline: "***", target: "xyz" }],
    ],
    ["masked vs plain with equal fingerprints", [secret("S", "fp:abc")], [plain("S", "abc")], []],
    [
      "'***' placeholder vs the literal text '***'",
      [secret("S", "fp:real")],
      [plain("S", "***")],
      [{ name: "S", kind: "masked_mismatch", baseline: "***", target: "***" }],
    ],
    ["only in target", [], [plain("NEW", "1")], [{ name: "NEW", kind: "only_in_target", target: "1" }]],
    [
      "only in baseline",
      [secret("GONE", "fp")],
      [],
      [{ name: "GONE", kind: "only_in_baseline", baseline: "***" }],
    ],
  ] as const)("%s", (_, baseline, target, expected) => {
    expect(diffEnvironments(baseline, target)).toEqual(expected);
  });

  it("never shows a masked value even when the caller passes its plaintext", () => {
    const leaked: EnvVar = { name: "S", value: "hunter2hunter2", masked: true, fingerprint: "a" };
    const entries = diffEnvironments([leaked], [{ ...leaked, fingerprint: "b" }]);
    expect(entries).toEqual([{ name: "S", kind: "masked_mismatch", baseline: "***", target: "***" }]);
  });

  it("sorts by name, independent of locale and input order", () => {
    const entries = diffEnvironments(
      [plain("b", "1"), plain("B", "1"), plain("_X", "1")],
      [plain("a", "1"), plain("Z", "1")],
    );
    expect(entries.map((e) => e.name)).toEqual(["B", "Z", "_X", "a", "b"]);
  });

  it("summarizes per kind", () => {
    const entries = diffEnvironments(
      [plain("A", "1"), secret("S", "x"), plain("GONE", "1")],
      [plain("A", "2"), secret("S", "y"), plain("NEW", "1"), plain("NEW2", "1")],
    );
    expect(summarizeDrift(entries)).toEqual({
      count: 5,
      value_mismatch: 1,
      masked_mismatch: 1,
      only_in_target: 2,
      only_in_baseline: 1,
    });
    expect(summarizeDrift([])).toEqual({
      count: 0,
      value_mismatch: 0,
      masked_mismatch: 0,
      only_in_target: 0,
      only_in_baseline: 0,
    });
  });
});

describe("diffEnvironments: properties", () => {
  const envVar = fc.oneof(
    fc.record({
      name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/),
      value: fc.string(),
      masked: fc.constant(false),
    }),
    fc.record({
      name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/),
      value: fc.constant("***"),
      masked: fc.constant(true),
      fingerprint: fc.string({ minLength: 1 }).map((s) => `hmac-sha256:${s}`),
    }),
  );
  const envSet = fc.uniqueArray(envVar, { selector: (v) => v.name, maxLength: 20 });

  it("the drift between identical sets is empty", () => {
    fc.assert(
      fc.property(envSet, (set) => {
        expect(diffEnvironments(set, structuredClone(set))).toEqual([]);
      }),
    );
  });

  it("masked values with the same fingerprint never drift, whatever the values read", () => {
    fc.assert(
      fc.property(envSet, fc.string(), fc.string(), (set, shownA, shownB) => {
        const baseline = set.map((v) => (v.masked ? { ...v, value: shownA } : v));
        const target = set.map((v) => (v.masked ? { ...v, value: shownB } : v));
        expect(diffEnvironments(baseline, target)).toEqual([]);
      }),
    );
  });

  type Change = "edit" | "add" | "drop";
  it("any single change yields exactly one entry of the right kind", () => {
    fc.assert(
      fc.property(
        envSet.filter((s) => s.length > 0),
        fc.nat(),
        fc.constantFrom<Change>("edit", "add", "drop"),
        (set, pick, change) => {
          const i = pick % set.length;
          const victim = set[i]!;
          let target: EnvVar[] = [...set];
          let expected: (typeof DRIFT_KINDS)[number];
          if (change === "drop") {
            target.splice(i, 1);
            expected = "only_in_baseline";
          } else if (change === "add") {
            const name = `${victim.name}_NEW`;
            fc.pre(!set.some((v) => v.name === name));
            target = [...set, { name, value: "x", masked: false }];
            expected = "only_in_target";
          } else if (victim.masked) {
            target[i] = { ...victim, fingerprint: `${victim.fingerprint}-changed` };
            expected = "masked_mismatch";
          } else {
            target[i] = { ...victim, value: `${victim.value}-changed` };
            expected = "value_mismatch";
          }
          const entries = diffEnvironments(set, target);
          expect(entries).toHaveLength(1);
          expect(entries[0]!.kind).toBe(expected);
          expect(entries[0]!.name).toBe(change === "add" ? `${victim.name}_NEW` : victim.name);
          expect(summarizeDrift(entries)[expected]).toBe(1);
        },
      ),
    );
  });
});
