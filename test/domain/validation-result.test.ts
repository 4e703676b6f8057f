import { describe, expect, it } from "vitest";
import {
  issue,
  joinPath,
  pathText,
  plainIssue,
  resultOf,
  utf8Bytes,
} from "../../src/domain/validation-result.js";

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
  it.each([
    [[], ""],
    [["name"], "name"],
    [["variables", 2, "value"], "variables[2].value"],
    [["config", "headers", "X-A"], "config.headers.X-A"],
    [["headers", "a\nb"], "headers.a\\u000ab"],
    [["headers", "k".repeat(70)], `headers.${"k".repeat(64)}…`],
  ] as const)("writes the path %j as %s", (segments, text) => {
    expect(pathText(segments)).toBe(text);
  });
  it("keeps a structured path as segments and drops them for the wire", () => {
    const found = issue(["variables", 0, "name"], "validation-failed", "bad");
    expect(found).toEqual({
      path: "variables[0].name",
      segments: ["variables", 0, "name"],
      code: "validation-failed",
      message: "bad",
    });
    expect(plainIssue(found)).toEqual({
      path: "variables[0].name",
      code: "validation-failed",
      message: "bad",
    });
    expect(issue("names", "validation-failed", "x")).toEqual({
      path: "names",
      code: "validation-failed",
      message: "x",
    });
  });
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("😀")).toBe(4);
  });
});
