import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createSecretMasker,
  isWordLike,
  MASK,
  MIN_MASKED_LENGTH,
  secretForms,
  secretTexts,
} from "../../src/domain/secret-masking.js";

const SECRET = "sk-live/Zq9+ä?x=1";
const QUOTED = 'a"b\\c\nd';
const bytes = Buffer.from(SECRET, "utf8");

describe("secretTexts: what of a decrypted value is secret", () => {
  it.each([
    ["a string", SECRET, [SECRET]],
    ["a number", 12345678, ["12345678"]],
    ["a short number", 42, []],
    ["a short string", "abc", []],
    ["a boolean", true, []],
    ["null", null, []],
    [
      "an object: its JSON text and every long enough leaf",
      { user: "svc-reporting", pass: "hunter22", port: 5432, tls: true, tag: "eu" },
      [
        '{"user":"svc-reporting","pass":"hunter22","port":5432,"tls":true,"tag":"eu"}',
        "svc-reporting",
        "hunter22",
        "5432",
      ],
    ],
    [
      "leaves of nested arrays",
      { keys: [["k-000001"], "k-000002"] },
      ['{"keys":[["k-000001"],"k-000002"]}', "k-000001", "k-000002"],
    ],
  ])("%s", (_what, value, expected) => {
    expect(secretTexts(value)).toEqual(expected);
  });
});

describe("secretForms: every encoded form of a secret", () => {
  it.each([
    ["as is", SECRET],
    ["JSON-escaped", JSON.stringify(QUOTED).slice(1, -1)],
    ["URL-encoded", encodeURIComponent(SECRET)],
    [
      "URL-encoded, lower-case escapes",
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    ],
    ["form-encoded", new URLSearchParams({ s: SECRET }).toString().slice(2)],
    ["base64", bytes.toString("base64")],
    ["base64 without padding", bytes.toString("base64").replace(/=+$/, "")],
    ["base64url", bytes.toString("base64url")],
    ["hex", bytes.toString("hex")],
    ["HEX", bytes.toString("hex").toUpperCase()],
  ])("includes the secret %s", (what, form) => {
    const secret = what === "JSON-escaped" ? QUOTED : SECRET;
    expect(secretForms(secret)).toContain(form);
  });

  it("masks nothing shorter than the minimum", () => {
    expect(secretForms("abc")).toEqual([]);
    expect(MIN_MASKED_LENGTH).toBe(4);
  });
});

describe("createSecretMasker: text", () => {
  const masker = createSecretMasker([SECRET, { pass: "hunter22" }, 987654321]);
  const inBase64 = (prefix: string) => Buffer.from(`${prefix}${SECRET}`).toString("base64");

  it.each([
    ["plain", `key=${SECRET}!`, `key=${MASK}!`],
    ["twice", `${SECRET}${SECRET}`, `${MASK}${MASK}`],
    ["URL-encoded in a query", `?k=${encodeURIComponent(SECRET)}&x=1`, `?k=${MASK}&x=1`],
    ["base64", `b64 ${bytes.toString("base64")}`, `b64 ${MASK}`],
    ["base64url", `${bytes.toString("base64url")}.`, `${MASK}.`],
    ["hex", `0x${bytes.toString("hex")}`, `0x${MASK}`],
    ["an object secret's leaf", "pass is hunter22", `pass is ${MASK}`],
    ["an object secret as JSON", 'v={"pass":"hunter22"}', "v=***"],
    ["a number secret", "id 987654321.", `id ${MASK}.`],
    ["nothing secret", "nothing to see", "nothing to see"],
  ])("%s", (_what, input, expected) => {
    expect(masker.text(input)).toBe(expected);
  });

  it.each(["", "u:", "us:", "usr:"])("base64 of %j + the secret keeps no decodable piece of it", (prefix) => {
    const out = masker.text(inBase64(prefix));
    expect(out).toContain(MASK);
    const decoded = Buffer.from(out.replaceAll(MASK, ""), "base64").toString("latin1");
    expect(decoded).not.toContain(SECRET.slice(0, 6));
  });

  it("masks an occurrence that two replacements join together", () => {
    const joined = createSecretMasker(["ab***"]);
    // "ab" + "ab***": masking the second leaves "ab***", the secret again.
    expect(joined.text("xabab***")).toBe("x***");
  });

  it("counts what it masked", () => {
    const m = createSecretMasker([SECRET]);
    m.text(`${SECRET} ${SECRET}`);
    expect(m.masked).toBe(2);
  });

  it("with nothing to mask, returns its input unchanged", () => {
    const m = createSecretMasker(["ab", true, null]);
    const value = { a: ["ab", true] };
    expect(m.value(value)).toBe(value);
    expect(m.text("ab")).toBe("ab");
  });
});

describe("createSecretMasker: value", () => {
  const masker = createSecretMasker([SECRET, 12345678]);

  it.each([
    ["a string", SECRET, MASK],
    ["a number holding a number secret", 12345678, MASK],
    ["a longer number holding it", 9123456789, `9${MASK}9`],
    ["another number", 42, 42],
    ["a boolean", true, true],
    ["null", null, null],
    [
      "nested objects and arrays, keys too",
      { a: [SECRET, { [SECRET]: `x${SECRET}` }], n: 1 },
      { a: [MASK, { [MASK]: `x${MASK}` }], n: 1 },
    ],
  ])("%s", (_what, input, expected) => {
    expect(masker.value(input)).toEqual(expected);
  });

  it("keeps a __proto__ key as data", () => {
    const input = JSON.parse(`{"__proto__": "${SECRET}"}`) as unknown;
    const out = masker.value(input) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toBe(MASK);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("property: no secret of 4+ characters survives in any text around it, in any listed form (a word-like one as a whole token)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 24 }),
        fc.string({ maxLength: 12 }),
        fc.string({ maxLength: 12 }),
        fc.constantFrom<(s: string) => string>(
          (s) => s,
          encodeURIComponent,
          (s) => Buffer.from(s).toString("base64"),
          (s) => Buffer.from(s).toString("base64url"),
          (s) => Buffer.from(s).toString("hex"),
          (s) => JSON.stringify(s).slice(1, -1),
        ),
        (secret, before, after, encode) => {
          // A secret of letters only is masked as a token: not glued to another letter or digit.
          const gap = isWordLike(secret) ? " " : "";
          const out = createSecretMasker([secret]).text(`${before}${gap}${encode(secret)}${gap}${after}`);
          expect(out).not.toContain(encode(secret));
        },
      ),
    );
  });
});

describe("whole tokens: a secret is never masked inside an ordinary word", () => {
  it.each([
    ["inside a longer word", "validate", "run revalidated", "run revalidated"],
    ["as a word", "validate", "run cxda validate again", `run cxda ${MASK} again`],
    ["as a value", "validate", 'key="validate"', `key="${MASK}"`],
    ["a short one in words", "date", "up to date: update", `up to ${MASK}: update`],
    ["a secret with digits, glued to text", "abcd-1234", "xabcd-1234y", `x${MASK}y`],
    ["a number inside a longer one", "12345678", "9123456789", `9${MASK}9`],
  ])("%s", (_what, secret, input, expected) => {
    expect(createSecretMasker([secret]).text(input)).toBe(expected);
  });

  it("tells a word-like secret from others", () => {
    expect(["validate", "Passwörter"].map(isWordLike)).toEqual([true, true]);
    expect(["abcd-1234", "12345678", "two words"].map(isWordLike)).toEqual([false, false, false]);
  });
});
