/**
 * R7: fast-check-generated hostile requests to every emulator route (wrong types, huge strings, deep
 * nesting, prototype keys, invalid UTF-8, bare CR/LF in headers), sent over raw sockets so nothing is
 * cleaned up on the way — only 4xx (or a 2xx where the input happened to be valid), never a 5xx or a
 * dropped connection; the emulator still answers afterwards.
 */
import { connect } from "node:net";
import fc from "fast-check";
import { request as httpRequest } from "undici";
import { type ChaosRun, chaosClient, exactly, type Figure, info, pool } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

/** Every API route (`{id}`, `{env}`, `{build}` filled in per request); unknown ones answer 404. */
const ROUTES: [string, string][] = [
  ["GET", "/.well-known/openid-configuration"],
  ["POST", "/oauth2/token"],
  ["GET", "/api/v2/dataactions"],
  ["POST", "/api/v2/dataactions"],
  ["GET", "/api/v2/dataactions/{id}"],
  ["PUT", "/api/v2/dataactions/{id}"],
  ["PATCH", "/api/v2/dataactions/{id}"],
  ["DELETE", "/api/v2/dataactions/{id}"],
  ["POST", "/api/v2/dataactions/{id}/test"],
  ["GET", "/api/v2/dataactions/{id}/variables"],
  ["PUT", "/api/v2/dataactions/{id}/variables"],
  ["POST", "/api/v2/dataactions/{id}/variables/reencrypt"],
  ["GET", "/api/v2/variables"],
  ["PUT", "/api/v2/variables"],
  ["GET", "/api/v2/keys"],
  ["POST", "/api/v2/keys/rotate"],
  ["GET", "/api/v2/environments"],
  ["GET", "/api/v2/dataactions/{id}/environments/{env}/variables"],
  ["PUT", "/api/v2/dataactions/{id}/environments/{env}/variables"],
  ["PATCH", "/api/v2/dataactions/{id}/environments/{env}/variables"],
  ["POST", "/api/v2/dataactions/{id}/builds"],
  ["GET", "/api/v2/dataactions/{id}/builds/{build}"],
];

const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

interface Hostile {
  route: [string, string];
  segment: string | null;
  query: string;
  auth: "valid" | "none" | "garbage";
  contentType: string | null;
  extraHeaders: [string, string][];
  body: Buffer | null;
}

const deep = fc
  .tuple(fc.integer({ min: 10, max: 200_000 }), fc.constantFrom("[", '{"a":'))
  .map(([n, open]) => {
    const close = open === "[" ? "]" : "}";
    return Buffer.from(`${open.repeat(n)}1${close.repeat(n)}`);
  });
const protoBody = fc
  .tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...PROTO_KEYS))
  .map(([a, v, b]) =>
    Buffer.from(`{"name":"x_proto","${a}":${JSON.stringify(v)},"config":{"${b}":{"polluted":true}}}`),
  );
const huge = fc
  .tuple(fc.integer({ min: 1_000, max: 1_100_000 }), fc.constantFrom("a", "é", "\u0000", '"'))
  .map(([n, ch]) => Buffer.from(JSON.stringify({ name: "huge", description: ch.repeat(n) })));
const invalidUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) =>
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff, ...bytes]), Buffer.from('"}')]),
  );
const wrongTypes = fc
  .record(
    {
      name: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.string())),
      type: fc.oneof(fc.constantFrom("SCRIPT", "HTTP", "script", ""), fc.integer()),
      script: fc.oneof(fc.string(), fc.record({ language: fc.jsonValue(), content: fc.jsonValue() })),
      config: fc.jsonValue({ maxDepth: 4 }),
      dependencies: fc.oneof(fc.string(), fc.array(fc.jsonValue({ maxDepth: 1 }))),
      variables: fc.jsonValue({ maxDepth: 4 }),
      version: fc.oneof(fc.integer(), fc.string(), fc.double()),
      environmentId: fc.jsonValue({ maxDepth: 1 }),
      input: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  )
  .map((o) => Buffer.from(JSON.stringify(o)));
const anyJson = fc.jsonValue({ maxDepth: 5 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null"));
const garbage = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b));

const headerValue = fc.oneof(
  fc.string({ maxLength: 300 }).map((s) => s.replace(/[\r\n]/g, "")),
  fc.constantFrom("\r", "x\ry", "x\ny", "\u0000", "é", "a".repeat(9000)),
);

const hostile: fc.Arbitrary<Hostile> = fc.record({
  route: fc.constantFrom(...ROUTES),
  segment: fc.option(
    fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => encodeURIComponent(s)),
      fc.constantFrom("..", "%2e%2e", "%00", "%ff", "__proto__", "constructor", "a".repeat(5000)),
    ),
    { nil: null, freq: 2 },
  ),
  query: fc.oneof(
    fc.constant(""),
    fc
      .array(
        fc.tuple(
          fc.constantFrom("page", "pageSize", "name", "nameContains", "expand", "__proto__", "x"),
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.constantFrom("-1", "0", "1e309", "NaN", "999999999999", "%ff"),
          ),
        ),
        { maxLength: 5 },
      )
      .map(
        (pairs) => `?${pairs.map(([k, v]) => `${k}=${/%/.test(v) ? v : encodeURIComponent(v)}`).join("&")}`,
      ),
  ),
  auth: fc.constantFrom("valid", "valid", "valid", "none", "garbage"),
  contentType: fc.option(
    fc.constantFrom(
      "application/json",
      "application/json",
      "application/merge-patch+json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/json; charset=latin1",
      "multipart/form-data; boundary=x",
    ),
    { nil: null },
  ),
  extraHeaders: fc.array(
    fc.tuple(
      fc.constantFrom("idempotency-key", "if-match", "accept", "x-request-id", "authorization"),
      headerValue,
    ),
    { maxLength: 3 },
  ),
  body: fc.option(fc.oneof(wrongTypes, anyJson, protoBody, deep, huge, invalidUtf8, garbage), {
    nil: null,
    freq: 6,
  }),
});

/** One request over a raw socket; resolves with the status line's code, or null when no answer came. */
function rawRequest(
  port: number,
  head: string,
  body: Buffer | null,
): Promise<{ status: number | null; type: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const type = /\r\ncontent-type: *([^\r\n;]*)/i.exec(text)?.[1] ?? "";
      resolve({ status: match ? Number(match[1]) : null, type });
    };
    const timer = setTimeout(done, 20_000);
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      // One response is all we wait for: head and a complete body (or a bodiless status).
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) setTimeout(done, 20);
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(head, "latin1");
    if (body) socket.write(body);
  });
}

export async function runR7(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r7");
  const client = chaosClient(run, emulator, "raw");
  try {
    const target = (
      await client.sdk.actions.create({
        name: "r7_target",
        type: "SCRIPT",
        script: { language: "JavaScript", content: "function main(c) { return c; }" },
      })
    ).body;
    const token = client.trace.tokensSent[0]?.token ?? "";
    const cases = fc.sample(hostile, { numRuns: size.r7Requests, seed: 7 });
    const statuses = new Map<string, number>();
    let serverErrors = 0;
    let noAnswer = 0;
    let notProblem = 0;
    const examples: string[] = [];
    await pool(cases.length, 16, async (i) => {
      const c = cases[i]!;
      const [method, template] = c.route;
      const path =
        template
          .replace("{id}", c.segment ?? target.id)
          .replace("{env}", c.segment === null ? "dev" : "staging")
          .replace("{build}", c.segment ?? "00000000-0000-4000-8000-000000000000") + c.query;
      const lines = [`${method} ${path} HTTP/1.1`, `host: 127.0.0.1:${emulator.port}`, "connection: close"];
      if (c.auth === "valid") lines.push(`authorization: Bearer ${token}`);
      if (c.auth === "garbage") lines.push("authorization: Bearer !!not-a-token!!");
      if (c.contentType !== null && c.body !== null) lines.push(`content-type: ${c.contentType}`);
      if (c.body !== null) lines.push(`content-length: ${c.body.length}`);
      for (const [name, value] of c.extraHeaders) lines.push(`${name}: ${value}`);
      const { status, type } = await rawRequest(emulator.port, `${lines.join("\r\n")}\r\n\r\n`, c.body);
      const key = status === null ? "none" : String(status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (status === null) noAnswer += 1;
      else if (status >= 500) serverErrors += 1;
      // Problems are RFC 9457 on the API; OAuth errors are RFC 6749 JSON; Node's own parser answers bare 400s.
      const plainError =
        status !== null &&
        status >= 400 &&
        path.startsWith("/api/v2") &&
        type !== "" &&
        type !== "application/problem+json";
      if (plainError) notProblem += 1;
      if ((status === null || status >= 500 || plainError) && examples.length < 5)
        examples.push(
          `${method} ${path.slice(0, 60)} [${type}] body=${c.body?.subarray(0, 40).toString("latin1") ?? "-"} → ${key}`,
        );
    });
    const discovery = await httpRequest(`${emulator.url}/.well-known/openid-configuration`);
    await discovery.body.dump();
    const list = await client.sdk.request("GET", "/dataactions");
    const answersAfter = discovery.statusCode === 200 && list.status === 200 ? 1 : 0;
    const figures = [
      info("R7", "hostile requests sent", cases.length),
      exactly("R7", "5xx answers", serverErrors, 0),
      exactly("R7", "requests with no answer (crash)", noAnswer, 0),
      exactly("R7", "API 4xx answers not problem+json", notProblem, 0),
      exactly("R7", "emulator answers afterwards", answersAfter, 1),
      info(
        "R7",
        "statuses",
        [...statuses.entries()]
          .sort()
          .map(([s, n]) => `${s}×${n}`)
          .join(" "),
      ),
    ];
    for (const e of examples) figures.push(info("R7", "example failure", e));
    return figures;
  } finally {
    await client.close();
    await emulator.close();
  }
}
