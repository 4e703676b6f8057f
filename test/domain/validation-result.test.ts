import { describe, expect, it } from "vitest";
import { issue, joinPath, resultOf, utf8Bytes } from "../../src/domain/validation-result.js";

describe("validation-result", () => {
  it("is ok only when there are no issues", () => {
    expect(resultOf([]).ok).toBe(true);
    expect(resultOf([issue("name", "validation-failed", "bad")]).ok).toBe(false);
  });
  it("joins paths with dots and indexes", () => {
    expect(joinPath("", "name")).toBe("name");
    expect(joinPath("variables", 2)).toBe("variables[2]");
    expect(joinPath("config", "headers")).toBe("config.headers");
  });
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("😀")).toBe(4);
  });
});
