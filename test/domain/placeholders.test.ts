// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are literal ${…} text, not template literals
import { describe, expect, it } from "vitest";
import { hasPlaceholder, looksLikeCredential, splitPlaceholders } from "../../src/domain/placeholders.js";

describe("splitPlaceholders", () => {
  it("splits literal text and placeholders, and writes $${ as a literal ${", () => {
    expect(splitPlaceholders("Bearer ${env:TOKEN} at $${x} ${file:a/b.txt}")).toEqual([
      { kind: "literal", text: "Bearer " },
      { kind: "placeholder", placeholder: { kind: "env", arg: "TOKEN", text: "${env:TOKEN}" } },
      { kind: "literal", text: " at ${x} " },
      { kind: "placeholder", placeholder: { kind: "file", arg: "a/b.txt", text: "${file:a/b.txt}" } },
    ]);
  });

  it.each([
    ["${env:1bad}", "needs an environment variable name"],
    ["${file:}", "needs a path"],
    ["${vault:x}", "unknown placeholder ${vault:x}"],
  ])("refuses %s with a reason", (text, reason) => {
    const [part] = splitPlaceholders(text);
    expect(part).toMatchObject({ kind: "invalid", text });
    expect(part!.kind === "invalid" && part!.problem).toContain(reason);
  });

  it("knows text with placeholders", () => {
    expect(hasPlaceholder("a ${env:X}")).toBe(true);
    expect(hasPlaceholder("a $${env:X}")).toBe(false);
  });
});

describe("looksLikeCredential", () => {
  it.each([
    ["env", "CI_TOKEN", true],
    ["env", "db_password", true],
    ["env", "API_KEY", true],
    ["env", "QUEUE_SECRET", true],
    ["env", "REGION", false],
    ["file", "secrets/crm.txt", true],
    ["file", "config/region.txt", false],
  ] as const)("%s:%s → %s", (kind, arg, expected) => {
    expect(looksLikeCredential({ kind, arg, text: `\${${kind}:${arg}}` })).toBe(expected);
  });
});
