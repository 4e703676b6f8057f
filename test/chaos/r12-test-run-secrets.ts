/**
 * R12: secret exfiltration through test runs (issue 15, docs/script-runtime.md). Scripts written to leak
 * — echo the context, log, throw, encode (base64, base64url, hex, URL), hide values in object keys, build a
 * Basic header, reverse — run on actions holding an encrypted string, an encrypted object, a long encrypted
 * integer, masked overrides in two environments and an admin-only global secret. They run for a client
 * with write and admin but not `dataactions:execute`, and for one with the scope, in every environment,
 * then through `cxda actions test`. Without the scope: 0 plaintext or encoded occurrences in any answer,
 * not even reversed (no decrypted value reaches the run). With it: 0 occurrences of the masked forms; the
 * reversed secrets that come back are shown as what masking cannot stop.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { request } from "undici";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { CLI, runCxda } from "../helpers/cli.js";
import { atLeast, type ChaosRun, EXECUTE_CLIENT, exactly, type Figure, info, pool } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

const ENCODERS = `
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function utf8(s) { return unescape(encodeURIComponent(s)); }
function b64(s) {
  s = utf8(s);
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const n = (s.charCodeAt(i) << 16) | ((s.charCodeAt(i + 1) || 0) << 8) | (s.charCodeAt(i + 2) || 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < s.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < s.length ? B64[n & 63] : "=";
  }
  return out;
}
function b64url(s) { return b64(s).replace(/=+$/, "").replace(/[+]/g, "-").replace(/[/]/g, "_"); }
function hex(s) { s = utf8(s); let o = ""; for (let i = 0; i < s.length; i++) o += s.charCodeAt(i).toString(16).padStart(2, "0"); return o; }
function texts(v) {
  return Object.values(v).flatMap((x) => (x !== null && typeof x === "object" ? [JSON.stringify(x), ...Object.values(x).map(String)] : [String(x)]));
}
`;

/** The leaking scripts, one action each. */
const SCRIPTS: Record<string, string> = {
  echo: "function main(context) { return context; }",
  log: `function main(c) {
    for (const [k, v] of Object.entries(c.variables)) console.log(k, v);
    console.warn(c.variables);
    console.error(JSON.stringify(c));
    return null;
  }`,
  throw: "function main(c) { throw new Error(JSON.stringify(c.variables)); }",
  rejects:
    "async function main(c) { await null; throw c.variables.apiKey + ' ' + JSON.stringify(c.variables.dbCreds); }",
  encode: `${ENCODERS}
  function main(c) {
    const all = texts(c.variables);
    for (const s of all) console.log(b64(s), b64url(s), hex(s), encodeURIComponent(s));
    return all.map((s) => ({ b64: b64(s), b64url: b64url(s), hex: hex(s), url: encodeURIComponent(s), upper: hex(s).toUpperCase() }));
  }`,
  keys: `function main(c) {
    const o = {};
    for (const [k, v] of Object.entries(c.variables)) o[typeof v === "object" ? JSON.stringify(v) : String(v)] = k;
    return o;
  }`,
  basic: `${ENCODERS}
  function main(c) {
    const v = c.variables;
    return { authorization: "Basic " + b64("svc:" + v.apiKey), url: "https://crm.example.test/?token=" + encodeURIComponent(v.apiKey) + "&pin=" + v.pinCode };
  }`,
  reverse: `${ENCODERS}
  function main(c) { return texts(c.variables).map((s) => s.split("").reverse().join("")); }`,
};

interface Secrets {
  apiKey: string;
  dbUser: string;
  dbPassword: string;
  pinCode: string;
  global: string;
  dev: string;
  prod: string;
}

function makeSecrets(): Secrets {
  const hex = (n: number) => randomBytes(n).toString("hex");
  return {
    apiKey: `sk-r12/${hex(8)}+Zé`,
    dbUser: `svc-r12-${hex(4)}`,
    dbPassword: `pw-r12-${hex(8)}`,
    pinCode: String(100_000_000 + randomBytes(3).readUIntBE(0, 3)),
    global: `gl-r12-${hex(8)}`,
    dev: `ovr-dev-${hex(8)}`,
    prod: `ovr-prod-${hex(8)}`,
  };
}

/** Every text of the secrets (an object secret's JSON and leaves too) and the forms searched for. */
function searchTexts(s: Secrets): { plain: string[]; forms: string[]; reversed: string[] } {
  const dbCreds = JSON.stringify({ user: s.dbUser, password: s.dbPassword });
  const plain = [s.apiKey, s.dbUser, s.dbPassword, dbCreds, s.pinCode, s.global, s.dev, s.prod];
  const forms = new Set<string>();
  for (const p of plain) {
    const bytes = Buffer.from(p);
    for (const f of [
      p,
      bytes.toString("base64"),
      bytes.toString("base64url"),
      bytes.toString("hex"),
      encodeURIComponent(p),
    ])
      forms.add(f);
    forms.add(bytes.toString("hex").toUpperCase());
  }
  forms.add(Buffer.from(`svc:${s.apiKey}`).toString("base64"));
  return { plain, forms: [...forms], reversed: plain.map((p) => [...p].reverse().join("")) };
}

function count(text: string, needles: string[]): number {
  let n = 0;
  for (const needle of needles)
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n += 1;
  return n;
}

async function token(emulator: RunningEmulator, id: string, secret: string): Promise<string> {
  const res = await request(`${emulator.url}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials",
  });
  const body = (await res.body.json()) as { access_token: string };
  if (res.statusCode !== 200) throw new Error(`token for ${id}: ${res.statusCode}`);
  return body.access_token;
}

async function call(
  emulator: RunningEmulator,
  bearer: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await request(`${emulator.url}/api/v2${path}`, {
    method: method as "GET",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

async function must(what: string, answer: Promise<{ status: number; text: string }>): Promise<string> {
  const res = await answer;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.text;
}

export async function runR12(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r12");
  const secrets = makeSecrets();
  for (const [name, value] of Object.entries(secrets)) run.secrets.add(value, `R12 test-run secret ${name}`);
  const { forms, reversed } = searchTexts(secrets);
  try {
    const writer = await token(emulator, "chaos-raw", run.clientSecrets.raw);
    const executor = await token(emulator, EXECUTE_CLIENT, run.clientSecrets.exec);
    await must(
      "global secret",
      call(emulator, writer, "PUT", "/variables", {
        variables: [{ name: "ADMIN_TOKEN", type: "string", value: secrets.global, encrypted: true }],
      }),
    );
    const ids: { name: string; id: string }[] = [];
    const http = {
      name: "r12_http",
      type: "HTTP",
      config: {
        request: {
          method: "POST",
          urlTemplate: "https://crm.example.test/{apiKey}/{pinCode}/{VENDOR_TOKEN}",
        },
      },
    };
    const actions = [
      ...Object.entries(SCRIPTS).map(([name, content]) => ({
        name: `r12_${name}`,
        type: "SCRIPT",
        script: { language: "JavaScript", content },
      })),
      http,
    ];
    for (const action of actions) {
      const created = JSON.parse(
        await must(`create ${action.name}`, call(emulator, writer, "POST", "/dataactions", action)),
      );
      const id = created.id as string;
      ids.push({ name: action.name, id });
      await must(
        `variables of ${action.name}`,
        call(emulator, writer, "PUT", `/dataactions/${id}/variables`, {
          variables: [
            { name: "apiKey", type: "string", value: secrets.apiKey, encrypted: true },
            {
              name: "dbCreds",
              type: "object",
              value: JSON.stringify({ user: secrets.dbUser, password: secrets.dbPassword }),
              encrypted: true,
            },
            { name: "pinCode", type: "integer", value: secrets.pinCode, encrypted: true },
            { name: "region", type: "string", value: "eu-west-1", encrypted: false },
          ],
        }),
      );
      for (const env of ["dev", "prod"] as const)
        await must(
          `overrides of ${action.name} in ${env}`,
          call(emulator, writer, "PUT", `/dataactions/${id}/environments/${env}/variables`, {
            variables: [{ name: "VENDOR_TOKEN", value: secrets[env], masked: true }],
          }),
        );
    }

    const environments = [undefined, "dev", "prod"];
    const jobs: { id: string; name: string; env: string | undefined; exec: boolean }[] = [];
    for (let round = 0; round < size.r12Rounds; round += 1)
      for (const { id, name } of ids)
        for (const env of environments) for (const exec of [false, true]) jobs.push({ id, name, env, exec });
    const answers = await pool(jobs.length, 4, async (i) => {
      const job = jobs[i]!;
      const res = await call(emulator, job.exec ? executor : writer, "POST", `/dataactions/${job.id}/test`, {
        input: { probe: job.name },
        ...(job.env === undefined ? {} : { environmentId: job.env }),
      });
      return { ...job, ...res };
    });
    let failedCalls = 0;
    let leakedWithout = 0;
    let reversedWithout = 0;
    let notWithheld = 0;
    let leakedWith = 0;
    let masksWith = 0;
    let reversedWith = 0;
    const examples: string[] = [];
    for (const answer of answers) {
      if (answer.status !== "fulfilled" || answer.value.status !== 200) {
        failedCalls += 1;
        continue;
      }
      const a = answer.value;
      const leaks = count(a.text, forms);
      if (leaks > 0 && examples.length < 3) examples.push(`${a.name} env=${a.env ?? "-"} exec=${a.exec}`);
      if (a.exec) {
        leakedWith += leaks;
        masksWith += count(a.text, ["***"]);
        reversedWith += count(a.text, reversed);
        run.outputs.push({ sink: `R12 test-run answer (${a.name}, with execute)`, text: a.text });
      } else {
        leakedWithout += leaks;
        reversedWithout += count(a.text, reversed);
        const withheld = (JSON.parse(a.text) as { secretsWithheld?: string[] }).secretsWithheld ?? [];
        const expected = [
          "ADMIN_TOKEN",
          "apiKey",
          "dbCreds",
          "pinCode",
          ...(a.env === undefined ? [] : ["VENDOR_TOKEN"]),
        ];
        if (expected.some((name) => !withheld.includes(name))) notWithheld += 1;
      }
    }

    // The CLI prints what the API answered: its output is searched too.
    let cliLeaks = 0;
    let cliRuns = 0;
    if (existsSync(CLI)) {
      const cliClients = [
        { id: "chaos-raw", secret: run.clientSecrets.raw },
        { id: EXECUTE_CLIENT, secret: run.clientSecrets.exec },
      ];
      const variants = size.name === "full" ? [[], ["--json"]] : [[]];
      for (const client of cliClients)
        for (const extra of variants) {
          const result = await runCxda(["actions", "test", "r12_encode", "--env", "dev", ...extra], {
            env: {
              CXDA_BASE_URL: emulator.url,
              CXDA_CLIENT_ID: client.id,
              CXDA_CLIENT_SECRET: client.secret,
            },
          });
          cliRuns += 1;
          cliLeaks += count(result.stdout + result.stderr, forms);
          run.outputs.push({ sink: "CLI stdout (R12 actions test)", text: result.stdout });
          run.outputs.push({ sink: "CLI stderr (R12 actions test)", text: result.stderr });
        }
    }

    const figures = [
      info("R12", "test runs of leaking scripts (with and without execute)", jobs.length),
      exactly("R12", "runs not answered 200", failedCalls, 0),
      exactly("R12", "plaintext or encoded secrets in answers without dataactions:execute", leakedWithout, 0),
      exactly("R12", "reversed secrets in answers without dataactions:execute", reversedWithout, 0),
      exactly("R12", "answers without the scope not naming every withheld secret", notWithheld, 0),
      exactly("R12", "plaintext or encoded secrets in answers with dataactions:execute", leakedWith, 0),
      atLeast("R12", "occurrences masked as *** in answers with the scope", masksWith, 1),
      info("R12", "reversed secrets in answers with the scope (what masking cannot stop)", reversedWith),
      info("R12", "cxda actions test runs", cliRuns),
      exactly("R12", "plaintext or encoded secrets in cxda actions test output", cliLeaks, 0),
    ];
    for (const e of examples) figures.push(info("R12", "leaking run", e));
    return figures;
  } finally {
    await emulator.close();
  }
}
