import { describe, expect, it } from "vitest";
import { isSecretFieldName, REDACTED, Redactor } from "../../src/audit/redactor.js";
import { HEADER_TABLE } from "../domain/credential-header-table.js";

describe("Redactor and isCredentialHeader", () => {
  const redactor = new Redactor();
  const headers = Object.fromEntries(HEADER_TABLE.map((row) => [row.name, row.value]));

  it.each(HEADER_TABLE)("redacts $name: $value exactly when it is a credential ($why)", (row) => {
    const expected = row.credential ? REDACTED : row.value;
    expect(redactor.redactHeaders(headers)[row.name]).toBe(expected);
    expect((redactor.redact({ headers }) as { headers: Record<string, string> }).headers[row.name]).toBe(
      expected,
    );
    expect(redactor.redactHeaders({ [row.name]: [row.value] })[row.name]).toEqual([expected]);
  });
});

describe("isSecretFieldName", () => {
  it.each([
    "client_secret",
    "clientSecret",
    "access_token",
    "accessToken",
    "refresh_token",
    "password",
    "accessKeySecret",
    "secret",
    "webhookSecret",
    "apiKey",
  ])("treats %s as secret", (name) => {
    expect(isSecretFieldName(name)).toBe(true);
  });

  it.each([
    "name",
    "value",
    "keyId",
    "idempotencyKey",
    "token_type",
    "expires_in",
    "fingerprint",
    "encrypted",
  ])("keeps %s", (name) => {
    expect(isSecretFieldName(name)).toBe(false);
  });
});

describe("Redactor.redactString", () => {
  const secret = "s3cr3t-value!/+x";

  it("scrubs raw, URL-encoded, form-encoded and base64 forms of a registered secret", () => {
    const r = new Redactor();
    r.register(secret);
    const basic = Buffer.from(`client:${secret}`).toString("base64");
    const text = `raw ${secret} url ${encodeURIComponent(secret)} b64 ${Buffer.from(secret).toString("base64")} basic ${basic}`;
    const out = r.redactString(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString("base64"));
    // What is left of the Basic credential no longer decodes to the secret.
    const leftover = out.slice(out.indexOf("basic ") + 6);
    expect(Buffer.from(leftover.replace(/\*/g, ""), "base64").toString("latin1")).not.toContain(
      secret.slice(2, 10),
    );
  });

  it("scrubs base64 of the secret at every alignment inside a longer encoding", () => {
    const r = new Redactor();
    r.register(secret);
    for (const prefix of ["", "a", "ab", "abc", "id:", "client:"]) {
      const encoded = Buffer.from(`${prefix}${secret}`).toString("base64");
      const out = r.redactString(encoded);
      expect(out).toContain(REDACTED);
      expect(out.length).toBeLessThan(encoded.length);
    }
  });

  it("ignores empty and missing secrets, and refuses one shorter than 8 characters, telling its listener once", () => {
    const r = new Redactor();
    const told: [string | undefined, number][] = [];
    r.onTooShort = (source, length) => told.push([source, length]);
    expect(r.register("")).toBe(false);
    expect(r.register(null)).toBe(false);
    expect(r.register(undefined)).toBe(false);
    expect(r.register("short", "env QUEUE_API_SECRET")).toBe(false);
    expect(r.register("short", "env QUEUE_API_SECRET")).toBe(false);
    expect(r.register("date")).toBe(false);
    expect(r.register("abcdefgh")).toBe(true);
    expect(told).toEqual([
      ["env QUEUE_API_SECRET", 5],
      [undefined, 4],
    ]);
    expect(r.redactString("is shorter than 8; run validate; up to date")).toBe(
      "is shorter than 8; run validate; up to date",
    );
  });

  it("masks a word-like secret as a whole token, never inside a word", () => {
    const r = new Redactor();
    r.register("validate");
    expect(r.redactString("run cxda validate again; revalidated; validated")).toBe(
      `run cxda ${REDACTED} again; revalidated; validated`,
    );
    expect(r.redactString('{"key":"validate"} key=validate')).toBe(`{"key":"${REDACTED}"} key=${REDACTED}`);
  });

  it("masks a secret with digits or symbols even glued to other text", () => {
    const r = new Redactor();
    r.register("sk-9f2e71");
    expect(r.redactString("xsk-9f2e71y")).toBe(`x${REDACTED}y`);
  });

  it("replaces the longest secret first", () => {
    const r = new Redactor();
    r.register("abcd-1234");
    r.register("abcd-1234-efgh");
    expect(r.redactString("x abcd-1234-efgh y abcd-1234")).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it("escapes regular-expression metacharacters", () => {
    const r = new Redactor();
    r.register("a.b*c(d)[e]$^|?+\\");
    expect(r.redactString("axbbc a.b*c(d)[e]$^|?+\\ end")).toBe(`axbbc ${REDACTED} end`);
  });

  it("never leaves a secret formed by joining fragments after replacement", () => {
    const r = new Redactor();
    r.register("*abcdef*");
    const out = r.redactString("*abcdef*abcdef*abcdef*");
    expect(out).not.toContain("*abcdef*");
  });

  it("redacts secret query values, userinfo and bearer credentials without registration", () => {
    const r = new Redactor();
    const out = r.redactString(
      "GET https://user:pw1234@h.example/x?a=1&access_token=zz9&api_key=k#f body client_secret=abc&grant_type=password Bearer abc.def.ghi1",
    );
    expect(out).toBe(
      `GET https://user:${REDACTED}@h.example/x?a=1&access_token=${REDACTED}&api_key=${REDACTED}#f body client_secret=${REDACTED}&grant_type=password Bearer ${REDACTED}`,
    );
  });

  it("leaves prose alone", () => {
    const r = new Redactor();
    const text = "Basic authentication failed; Bearer authentication required; code=validation-failed";
    expect(r.redactString(text)).toBe(text);
  });

  it("redacts every occurrence of 200 secrets in a long text, and nothing else", () => {
    const r = new Redactor();
    const secrets = Array.from({ length: 200 }, (_, i) => `secret-${i}-${"x".repeat(i % 7)}-end`);
    for (const s of secrets) r.register(s);
    // 4 000 occurrences, two of them back to back at each repetition boundary ("…-endsecret-0--end").
    const text = `${secrets.join(" filler text ").repeat(20)} tail`;
    const expected = `${secrets
      .map(() => REDACTED)
      .join(" filler text ")
      .repeat(20)} tail`;
    expect(r.redactString(text)).toBe(expected);
  });
});

describe("Redactor.redact", () => {
  it("redacts fields by name, encrypted/masked values, header maps, errors, URLs and cycles", () => {
    const r = new Redactor();
    r.register("runtime-secret-1");
    const error = new Error("login failed with runtime-secret-1");
    const input: Record<string, unknown> = {
      auth: { clientId: "cxda-demo", client_secret: "cxda-demo-secret", accessToken: "tok123" },
      config: {
        headers: {
          Authorization: "Bearer zzz",
          "X-Source": "runtime-secret-1",
          "X-Trace": "t1",
          "Idempotency-Key": "k1",
        },
      },
      variables: [
        { name: "A", value: "plain-text-value", encrypted: true },
        { name: "B", value: null, encrypted: true },
        { name: "C", value: "visible", encrypted: false },
        { name: "D", value: "masked-value-1", masked: true },
      ],
      err: error,
      url: new URL("https://h.example/cb?token=abc&x=1"),
      count: 3,
      enabled: true,
      when: new Date(0),
    };
    input.self = input;
    // biome-ignore lint/suspicious/noExplicitAny: the test inspects a deep copy of a loosely typed tree
    const out = r.redact(input) as Record<string, any>;
    expect(out.auth).toEqual({ clientId: "cxda-demo", client_secret: REDACTED, accessToken: REDACTED });
    expect(out.config.headers).toEqual({
      Authorization: REDACTED,
      "X-Source": REDACTED,
      "X-Trace": "t1",
      "Idempotency-Key": "k1",
    });
    expect(out.variables.map((v: { value: unknown }) => v.value)).toEqual([
      REDACTED,
      null,
      "visible",
      REDACTED,
    ]);
    expect(out.err).toBeInstanceOf(Error);
    expect(out.err.message).toBe(`login failed with ${REDACTED}`);
    expect(out.err.name).toBe("Error");
    expect(out.err.stack).not.toContain("runtime-secret-1");
    expect(String(out.url)).toBe("https://h.example/cb?token=***&x=1");
    expect(out.count).toBe(3);
    expect(out.enabled).toBe(true);
    expect(out.when).toEqual(new Date(0));
    expect(out.self).toBe("[Circular]");
    // the input is untouched
    expect((input.auth as Record<string, unknown>).client_secret).toBe("cxda-demo-secret");
    expect(() => JSON.stringify(out)).not.toThrow();
    expect(JSON.stringify(out)).not.toMatch(/runtime-secret-1|cxda-demo-secret|tok123|plain-text-value/);
  });

  it("copies shared (non-cyclic) references without marking them circular", () => {
    const r = new Redactor();
    const shared = { a: 1 };
    expect(r.redact({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } });
  });

  it("redacts a header map by name", () => {
    const r = new Redactor();
    r.register("abcd-1234");
    const out = r.redactHeaders({
      cookie: "a=b",
      "set-cookie": ["a", "b"],
      "x-note": "has abcd-1234",
      accept: "json",
    });
    expect(out).toEqual({
      cookie: REDACTED,
      "set-cookie": [REDACTED, REDACTED],
      "x-note": `has ${REDACTED}`,
      accept: "json",
    });
  });
});
