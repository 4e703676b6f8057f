import { validateHeaderName, validateHeaderValue } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyHeaderEdit,
  diffHeaderMatrices,
  HEADER_RESERVED,
  headerBytes,
  MAX_HEADER_BYTES,
  totalHeaderBytes,
  validateHeaders,
} from "../../src/domain/headers.js";
import { plainIssue } from "../../src/domain/validation-result.js";

const messages = (matrix: unknown) => validateHeaders(matrix).issues.map((i) => i.message);

describe("validateHeaders: one table per rule", () => {
  it.each([
    ["X-Source", true],
    ["x_trace-id-2", true],
    ["A", true],
    ["", false],
    ["X Source", false],
    ["X:Source", false],
    ["Über", false],
    ["X-Café", false],
    ["X.Dot", false],
    ["X-\r\nInjected", false],
  ])("name %j accepted: %s", (name, ok) => {
    const result = validateHeaders({ [name]: "v" });
    expect(result.ok).toBe(ok);
    if (!ok)
      expect(result.issues[0]!.message).toMatch(name === "" ? /name is empty/ : /\^\[A-Za-z0-9_-\]\+\$/);
  });

  it.each(HEADER_RESERVED.flatMap((n) => [n, n.toUpperCase()]))("reserved name %s is refused", (name) => {
    expect(messages({ [name]: "x" })).toEqual([
      `Header '${name}' is reserved by the integration engine and cannot be set`,
    ]);
  });

  it("gives the reserved message exactly for Host", () => {
    expect(messages({ Host: "evil.example" })).toEqual([
      "Header 'Host' is reserved by the integration engine and cannot be set",
    ]);
  });

  it("refuses case-insensitive duplicates, naming both", () => {
    const result = validateHeaders({ "X-A": "1", "x-a": "2", "X-B": "3" });
    expect(result.ok).toBe(false);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.message).toContain("'X-A' and 'x-a'");
  });

  it.each([
    ["abc", true, ""],
    ["", true, ""],
    ["a=b; c=d", true, ""],
    ["tab\tinside", true, ""],
    ["Latin-1 é ÿ", true, ""],
    ["ab\rc", false, "CR at position 3"],
    ["abc\r\nX-Evil: 1", false, "CR at position 4, LF at position 5"],
    ["a\u0000", false, "NUL at position 2"],
    ["a\u007f", false, "DEL at position 2"],
    ["\u0001x", false, "control character U+0001 at position 1"],
    ["x\u0085", false, "control character U+0085 at position 2"],
    ["中文", false, "non-Latin-1 character U+4E2D at position 1"],
    ["😀x\n", false, "LF at position 3"],
    [" lead", false, "leading whitespace"],
    ["trail\t", false, "trailing whitespace"],
    [" both ", false, "leading and trailing whitespace"],
  ])("value %j accepted: %s", (value, ok, fragment) => {
    const result = validateHeaders({ "X-A": value });
    expect(result.ok).toBe(ok);
    if (!ok) {
      expect(result.issues[0]!.path).toBe("config.headers.X-A");
      expect(result.issues[0]!.message).toContain(`value of 'X-A'`);
      expect(result.issues[0]!.message).toContain(fragment);
    }
  });

  it("accepts exactly tab, visible ASCII, space and Latin-1 from U+00A0 in a value, character by character", () => {
    // The whole-value pattern (the fast path) and the per-character rule must agree on every character.
    for (let code = 0; code <= 0x2ff; code++) {
      const allowed = code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff);
      const value = `a${String.fromCodePoint(code)}b`;
      expect(validateHeaders({ "X-A": value }).ok, `U+${code.toString(16)}`).toBe(allowed);
    }
    expect(validateHeaders({ "X-A": "a\u{1F600}b" }).ok).toBe(false);
  });

  it("reports each group of case-insensitive duplicates once, in the order of their first spelling", () => {
    const result = validateHeaders({ "X-B": "1", "X-A": "2", "x-a": "3", "x-b": "4", "X-b": "5" });
    expect(result.issues.map((i) => i.message)).toEqual([
      expect.stringContaining("'X-B' and 'x-b' and 'X-b'"),
      expect.stringContaining("'X-A' and 'x-a'"),
    ]);
    expect(result.issues.map((i) => i.path)).toEqual(["config.headers.x-b", "config.headers.x-a"]);
  });

  it("caps the list of bad characters in one value", () => {
    const [message] = messages({ "X-A": "\r".repeat(100) });
    expect(message).toContain("CR at position 5 and 95 more");
  });

  it.each([
    [null, /is null; null removes a header in an edit/],
    [42, /must be a string, got a number/],
    [{ nested: true }, /must be a string, got an object/],
  ])("refuses the non-string value %j", (value, pattern) => {
    expect(messages({ "X-A": value })[0]).toMatch(pattern);
  });

  it("refuses a matrix that is not an object", () => {
    for (const bad of [null, [], "X-A: 1", 3]) {
      const result = validateHeaders(bad);
      expect(result.ok).toBe(false);
      expect(result.issues[0]!.path).toBe("config.headers");
    }
  });

  it("counts bytes(name) + bytes(value) + 2 against 8192 per header", () => {
    const name = "X-A";
    const fits = "v".repeat(MAX_HEADER_BYTES - name.length - 2);
    expect(headerBytes(name, fits)).toBe(MAX_HEADER_BYTES);
    expect(validateHeaders({ [name]: fits }).ok).toBe(true);
    const [perHeader, total] = messages({ [name]: `${fits}v` });
    expect(perHeader).toContain("is 8193 bytes");
    expect(perHeader).toContain("8192 bytes per header");
    expect(total).toContain("add up to 8193 bytes");
  });

  it("counts UTF-8 bytes, so Latin-1 letters weigh 2", () => {
    expect(headerBytes("X-A", "é")).toBe(3 + 2 + 2);
  });

  it("limits the sum over the resulting matrix to 8192", () => {
    const matrix = { "X-A": "a".repeat(5000), "X-B": "b".repeat(5000) };
    expect(totalHeaderBytes(matrix)).toBe(10_010);
    const result = validateHeaders(matrix);
    expect(result.issues.map((i) => i.message)).toEqual([
      expect.stringContaining("The 2 headers add up to 10010 bytes"),
    ]);
  });

  it("reports every problem at once", () => {
    const result = validateHeaders({ Host: "h", "X A": "v", "X-B": "a\nb", "X-C": " c", "x-c": "d" });
    expect(result.issues.map((i) => i.path)).toEqual([
      "config.headers.Host",
      "config.headers.X A",
      "config.headers.X-B",
      "config.headers.X-C",
      "config.headers.x-c",
    ]);
  });

  it("uses the given base path, as text and as segments", () => {
    expect(validateHeaders({ Host: "h" }, ["headers"]).issues[0]).toMatchObject({
      path: "headers.Host",
      segments: ["headers", "Host"],
    });
  });

  it("keeps a long name whole in the segments and cut in the text", () => {
    const name = `X-${"a".repeat(100)}`;
    const [found] = validateHeaders({ [name]: "v\n" }, ["headers"]).issues;
    expect(found!.segments).toEqual(["headers", name]);
    expect(found!.path).toBe(`headers.${name.slice(0, 64)}…`);
  });
});

describe("validateHeaders: hostile input", () => {
  const secret = "Bearer sk_live_0123456789abcdef";

  it("never quotes a value", () => {
    const result = validateHeaders({
      Authorization: `${secret}\r\n`,
      "X-Key": ` ${secret}`,
      Host: secret,
      "X-Big": `${secret}${"x".repeat(9000)}`,
    });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("sk_live");
  });

  it("answers 10 000 headers with a bounded report", () => {
    const matrix = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`X-${i}`, " v"]));
    const result = validateHeaders(matrix);
    expect(result.ok).toBe(false);
    expect(result.issues.length).toBeLessThanOrEqual(25);
    const text = result.issues.map((i) => i.message);
    expect(text).toContainEqual(expect.stringContaining("and 9980 more headers with the same problem"));
    expect(text).toContainEqual(expect.stringContaining("The 10000 headers add up to"));
    expect(JSON.stringify(result).length).toBeLessThan(10_000);
  });

  it("answers a 100 KB value with a short message", () => {
    const result = validateHeaders({ "X-Big": "x".repeat(100 * 1024) });
    expect(result.ok).toBe(false);
    expect(result.issues[0]!.message).toContain("102407 bytes");
    expect(JSON.stringify(result).length).toBeLessThan(1000);
  });

  it("cuts and escapes a huge, control-laden name", () => {
    const result = validateHeaders({ [`\n${"N".repeat(100_000)}`]: "v" });
    expect(result.ok).toBe(false);
    expect(result.issues[0]!.message).toContain("'\\u000aNNN");
    expect(result.issues[0]!.message).toContain("…");
    // What is ever output (wire bodies, --json) is the plain issue; the segments keep the name whole.
    expect(JSON.stringify(result.issues.map(plainIssue)).length).toBeLessThan(1000);
    expect(result.issues[0]!.segments).toEqual(["config", "headers", `\n${"N".repeat(100_000)}`]);
  });

  it("treats __proto__ as an ordinary header name", () => {
    const matrix = JSON.parse('{"__proto__": "x", "X-A": "1"}');
    expect(validateHeaders(matrix).ok).toBe(true);
    expect(Object.keys(applyHeaderEdit(matrix, { kind: "set", headers: { "X-B": "2" } }))).toEqual([
      "__proto__",
      "X-A",
      "X-B",
    ]);
  });
});

describe("validateHeaders: agrees with Node's http", () => {
  const tricky = [
    "\t",
    "\r",
    "\n",
    "\u0000",
    "\u007f",
    "\u0085",
    " ",
    "é",
    "ÿ",
    "中",
    "😀",
    "=",
    ":",
    "a",
    "Z",
  ];
  const nameArb = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
    fc.constantFrom(...HEADER_RESERVED),
  );
  const valueArb = fc.oneof(
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.string({ unit: fc.constantFrom(...tricky), maxLength: 30 }),
    fc.stringMatching(/^[!-~]([ -~]{0,40}[!-~])?$/),
  );

  it("every accepted matrix is accepted by validateHeaderName and validateHeaderValue", () => {
    fc.assert(
      fc.property(fc.dictionary(nameArb, valueArb, { maxKeys: 6 }), (matrix) => {
        if (!validateHeaders(matrix).ok) return;
        for (const [name, value] of Object.entries(matrix)) {
          expect(() => validateHeaderName(name)).not.toThrow();
          expect(() => validateHeaderValue(name, value)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts matrices built only from allowed names and values", () => {
    const name = fc.stringMatching(/^X-[A-Za-z0-9_-]{1,10}$/);
    const value = fc.stringMatching(
      /^([!-~\u00a0-\u00ff]([ \t!-~\u00a0-\u00ff]{0,30}[!-~\u00a0-\u00ff])?)?$/,
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n.toLowerCase(), maxLength: 8 }),
        (pairs) => {
          expect(validateHeaders(Object.fromEntries(pairs)).issues).toEqual([]);
        },
      ),
    );
  });
});

describe("applyHeaderEdit", () => {
  const current = { "X-Source": "cxda", Authorization: "Bearer a" };

  it("set adds new headers and replaces existing ones in any case, keeping the new spelling", () => {
    const next = applyHeaderEdit(current, { kind: "set", headers: { "x-source": "sdk", "X-New": "1" } });
    expect(next).toEqual({ "x-source": "sdk", Authorization: "Bearer a", "X-New": "1" });
    expect(Object.keys(next)).toEqual(["x-source", "Authorization", "X-New"]);
    expect(current).toEqual({ "X-Source": "cxda", Authorization: "Bearer a" });
  });

  it("set keeps two spellings from one edit so that validation refuses them", () => {
    const next = applyHeaderEdit({}, { kind: "set", headers: { "X-A": "1", "x-a": "2" } });
    expect(validateHeaders(next).ok).toBe(false);
  });

  it("unset removes case-insensitively and ignores absent names", () => {
    expect(applyHeaderEdit(current, { kind: "unset", names: ["AUTHORIZATION", "X-Missing"] })).toEqual({
      "X-Source": "cxda",
    });
  });

  it("replace returns exactly the edit's headers", () => {
    expect(applyHeaderEdit(current, { kind: "replace", headers: { "X-Only": "1" } })).toEqual({
      "X-Only": "1",
    });
  });

  it("re-applying the same set edit is idempotent (the retry loop relies on it)", () => {
    const edit = { kind: "set" as const, headers: { "X-A": "1" } };
    const once = applyHeaderEdit(current, edit);
    expect(applyHeaderEdit(once, edit)).toEqual(once);
  });
});

describe("diffHeaderMatrices", () => {
  it("lists names added, changed and removed with byte totals, never values", () => {
    const before = { "X-Source": "cxda", Authorization: "Bearer secret-1", "X-Gone": "1" };
    const after = { "x-source": "cxda", Authorization: "Bearer secret-2", "X-New": "1" };
    const diff = diffHeaderMatrices(before, after);
    expect(diff).toEqual({
      added: ["X-New"],
      changed: ["Authorization", "x-source"],
      removed: ["X-Gone"],
      bytesBefore: totalHeaderBytes(before),
      bytesAfter: totalHeaderBytes(after),
    });
    expect(JSON.stringify(diff)).not.toContain("secret");
  });

  it("is empty for equal matrices", () => {
    const m = { "X-A": "1" };
    expect(diffHeaderMatrices(m, { ...m })).toMatchObject({ added: [], changed: [], removed: [] });
  });
});
