/**
 * Secrets in test runs (issue 15 item 2, docs/script-runtime.md): only a token with
 * `dataactions:execute` gets decrypted secrets into a run, and even then every secret and its encoded
 * forms are masked in the answer. Over real HTTP against an in-process emulator.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, type Body, createAction, type Emulator, getToken, useTestEmulator } from "./helpers.js";

const ACTION_SECRET = "sk-action-7Hq2-Zt91/xw+";
const GLOBAL_SECRET = "gl0bal-admin-only-5ecret";
const OVERRIDE_SECRET = "ovr-dev-token-8842-plum";
const SECRETS = [ACTION_SECRET, GLOBAL_SECRET, OVERRIDE_SECRET];

// QuickJS has no btoa: the script encodes by hand, as an attacker would.
const LEAKY = `
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function b64(s) {
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const n = (s.charCodeAt(i) << 16) | ((s.charCodeAt(i + 1) || 0) << 8) | (s.charCodeAt(i + 2) || 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < s.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < s.length ? B64[n & 63] : "=";
  }
  return out;
}
function hex(s) { let out = ""; for (const c of s) out += c.charCodeAt(0).toString(16).padStart(2, "0"); return out; }
function main(context) {
  const v = context.variables;
  const all = [v.apiKey, v.ADMIN_TOKEN, v.VENDOR_KEY];
  console.log("variables", v);
  for (const s of all) console.log(s, b64(s), hex(s), encodeURIComponent(s));
  if (context.input && context.input.fail) throw new Error("leaking " + all.join(","));
  return {
    variables: v,
    encoded: all.map((s) => [b64(s), b64(s).replace(/=+$/, "").replace(/[+]/g, "-").replace(/[/]/g, "_"), hex(s), encodeURIComponent(s)]),
    basic: b64("user:" + v.apiKey),
    reversed: v.apiKey.split("").reverse().join(""),
  };
}`;

function forms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [
    secret,
    bytes.toString("base64"),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    encodeURIComponent(secret),
  ];
}

function occurrences(text: string): string[] {
  return SECRETS.flatMap((s) => forms(s).filter((f) => text.includes(f)));
}

describe("secrets in test runs", () => {
  let emulator: Emulator;
  let admin: string;
  let action: Body;
  useTestEmulator(
    {},
    (running) => {
      emulator = running.emulator;
      admin = running.token;
    },
    { resetEach: false },
  );

  beforeAll(async () => {
    action = await createAction(emulator, admin, {
      name: "leaky",
      type: "SCRIPT",
      script: { language: "JavaScript", content: LEAKY },
    });
    const puts = [
      api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
        token: admin,
        body: {
          variables: [
            { name: "apiKey", type: "string", value: ACTION_SECRET, encrypted: true },
            { name: "region", type: "string", value: "eu-west-1", encrypted: false },
          ],
        },
      }),
      api(emulator, "PUT", "/api/v2/variables", {
        token: admin,
        body: { variables: [{ name: "ADMIN_TOKEN", type: "string", value: GLOBAL_SECRET, encrypted: true }] },
      }),
      api(emulator, "PUT", `/api/v2/dataactions/${action.id}/environments/dev/variables`, {
        token: admin,
        body: { variables: [{ name: "VENDOR_KEY", value: OVERRIDE_SECRET, masked: true }] },
      }),
    ];
    for (const put of await Promise.all(puts)) expect(put.status).toBe(200);
  });

  const run = (token: string, input: unknown = null) =>
    api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, {
      token,
      body: { input, environmentId: "dev" },
    });

  it("a write-scoped token runs with *** placeholders, and the result names the withheld secrets", async () => {
    const writer = await getToken(emulator, undefined, "dataactions:read dataactions:write");
    const res = await run(writer);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("SUCCESS");
    expect(res.body.output.variables).toEqual({
      ADMIN_TOKEN: "***",
      apiKey: "***",
      region: "eu-west-1",
      VENDOR_KEY: "***",
    });
    expect(res.body.secretsWithheld).toEqual(["ADMIN_TOKEN", "apiKey", "VENDOR_KEY"]);
    expect(occurrences(res.text)).toEqual([]);
    const failed = await run(writer, { fail: true });
    expect(failed.body.status).toBe("FAILURE");
    expect(failed.body.error).toContain("leaking ***,***,***");
    expect(occurrences(failed.text)).toEqual([]);
  });

  it("with dataactions:execute the run sees the values, and every plain or encoded occurrence is ***", async () => {
    const res = await run(admin);
    expect(res.body.status).toBe("SUCCESS");
    expect(res.body.secretsWithheld).toBeUndefined();
    expect(res.body.output.variables).toEqual({
      ADMIN_TOKEN: "***",
      apiKey: "***",
      region: "eu-west-1",
      VENDOR_KEY: "***",
    });
    expect(res.body.output.encoded.flat().every((e: string) => e === "***")).toBe(true);
    expect(res.body.logs.join("\n")).not.toMatch(/sk-action|gl0bal|ovr-dev/);
    expect(res.body.logs[1]).toBe("*** *** *** ***");
    expect(occurrences(res.text)).toEqual([]);
    const failed = await run(admin, { fail: true });
    expect(failed.body.error).toMatch(/^Error: leaking \*{3},\*{3},\*{3} \(line \d+, column \d+\)$/);
    expect(occurrences(failed.text)).toEqual([]);
  });

  it("masking cannot undo a transformation: a reversed secret comes back (why the scope exists)", async () => {
    const res = await run(admin);
    expect(res.body.output.reversed).toBe([...ACTION_SECRET].reverse().join(""));
    const writer = await getToken(emulator, undefined, "dataactions:write");
    expect((await run(writer)).body.output.reversed).toBe("***");
  });

  it("an HTTP action's rendered request masks a secret variable with or without the scope", async () => {
    const http = await createAction(emulator, admin, {
      name: "leaky_http",
      type: "HTTP",
      config: { request: { method: "GET", urlTemplate: "https://api.example.test/{apiKey}/{region}" } },
    });
    await api(emulator, "PUT", `/api/v2/dataactions/${http.id}/variables`, {
      token: admin,
      body: { variables: [{ name: "apiKey", type: "string", value: ACTION_SECRET, encrypted: true }] },
    });
    const writer = await getToken(emulator, undefined, "dataactions:write");
    for (const token of [admin, writer]) {
      const res = await api(emulator, "POST", `/api/v2/dataactions/${http.id}/test`, {
        token,
        body: { input: { region: "eu" } },
      });
      expect(res.body.output.url).toBe("https://api.example.test/***/eu");
      expect(occurrences(res.text)).toEqual([]);
    }
  });
});
