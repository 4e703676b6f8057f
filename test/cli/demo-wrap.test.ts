import { describe, expect, it } from "vitest";
import { displayWidth, wrapLine } from "../../src/demo/wrap.js";

describe("the demo's line wrapping", () => {
  it("breaks at spaces within the width, continuation indented under the text", () => {
    const lines = wrapLine("  ✔ ", "alpha beta gamma delta epsilon", 16);
    expect(lines).toEqual(["  ✔ alpha beta", "    gamma delta", "    epsilon"]);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(16);
  });

  it("measures without colour codes, keeps a short line and a word longer than the width whole", () => {
    expect(displayWidth("\x1b[32m✔\x1b[39m ok")).toBe(4);
    expect(wrapLine("\x1b[32m✔\x1b[39m ", "short", 20)).toEqual(["\x1b[32m✔\x1b[39m short"]);
    expect(wrapLine("  ", "a 0123456789abcdef z", 10)).toEqual(["  a", "  0123456789abcdef", "  z"]);
  });
});
