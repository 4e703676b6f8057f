import { describe, expect, it } from "vitest";
import { resolveEffectiveVariables, type VariableLayers } from "../../src/domain/effective-variables.js";

const v = <T>(name: string, value: T, secret = false) => ({ name, value, secret });

describe("resolveEffectiveVariables", () => {
  it.each<{ case: string; layers: VariableLayers<string>; expected: [string, string, string, string[]][] }>([
    { case: "no layers", layers: { global: [], action: [], override: [] }, expected: [] },
    {
      case: "each layer alone",
      layers: { global: [v("G", "g")], action: [v("A", "a")], override: [v("O", "o")] },
      expected: [
        ["G", "g", "global", []],
        ["A", "a", "action", []],
        ["O", "o", "override", []],
      ],
    },
    {
      case: "override ▸ action ▸ global, the name keeps its first place",
      layers: {
        global: [v("X", "g"), v("Y", "gy")],
        action: [v("X", "a"), v("Z", "az")],
        override: [v("X", "o"), v("Y", "oy")],
      },
      expected: [
        ["X", "o", "override", ["global", "action"]],
        ["Y", "oy", "override", ["global"]],
        ["Z", "az", "action", []],
      ],
    },
    {
      case: "action over global only",
      layers: { global: [v("X", "g")], action: [v("X", "a")], override: [] },
      expected: [["X", "a", "action", ["global"]]],
    },
    {
      case: "names are case-sensitive",
      layers: { global: [v("x", "g")], action: [], override: [v("X", "o")] },
      expected: [
        ["x", "g", "global", []],
        ["X", "o", "override", []],
      ],
    },
  ])("$case", ({ layers, expected }) => {
    const got = [...resolveEffectiveVariables(layers).values()].map((e) => [
      e.name,
      e.value,
      e.source,
      e.shadows,
    ]);
    expect(got).toEqual(expected);
  });

  it("carries each value and secret flag as given, whatever its type", () => {
    const resolved = resolveEffectiveVariables<unknown>({
      global: [v("N", 5), v("S", "plain-global")],
      action: [v("S", "decrypted-action", true)],
      override: [v("N", { nested: true }, true)],
    });
    expect(resolved.get("N")).toEqual({
      name: "N",
      value: { nested: true },
      source: "override",
      secret: true,
      shadows: ["global"],
    });
    // A plain override hides a secret variable: the secret flag is the winner's own.
    const masked = resolveEffectiveVariables({
      global: [],
      action: [v("K", "***", true)],
      override: [v("K", "public")],
    });
    expect(masked.get("K")).toMatchObject({ value: "public", secret: false, shadows: ["action"] });
  });
});
