/**
 * Raw HTTP helpers of the benchmarks (undici, no SDK): token, requests, the emulator's request log,
 * what the emulator offers right now (sub-resources land over time), and seeding a tenant.
 */
import { Agent, request } from "undici";

export const DEMO_CLIENT = { id: "cxda-demo", secret: "cxda-demo-secret" };
export const ENVIRONMENTS = ["dev", "staging", "prod"];
/** Effectively no rate limit (the config's maximum). */
export const UNLIMITED = { perMinute: 1_000_000, burst: 1_000_000 };

let agent = new Agent({ connections: 32 });

export async function getToken(baseUrl, client = DEMO_CLIENT) {
  const res = await request(`${baseUrl}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials",
    dispatcher: agent,
  });
  const body = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode}`);
  return body.access_token;
}

/** One request; `path` is absolute (e.g. /api/v2/dataactions). */
export async function call(baseUrl, token, method, path, body) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await request(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
}

/** The sequence number of the newest request-log entry (the log is bounded; seq is not). */
export async function lastRequestSeq(baseUrl) {
  const res = await call(baseUrl, undefined, "GET", "/_emulator/requests");
  const list = res.body.requests;
  return list.length === 0 ? 0 : list[list.length - 1].seq;
}

export async function requestsSince(baseUrl, seq) {
  const res = await call(baseUrl, undefined, "GET", "/_emulator/requests");
  return res.body.requests.filter((r) => r.seq > seq);
}

export function actionPayload(name) {
  return {
    name,
    description: `benchmark action ${name}`,
    type: "SCRIPT",
    script: {
      language: "JavaScript",
      content: "function main(context) { return { ok: true, input: context.input }; }",
    },
    config: { headers: { "X-Source": "cxda-bench", "X-Team": "perf", Accept: "application/json" } },
  };
}

export function variablesPayload(i) {
  return [
    { name: "region", type: "string", value: `eu-${i % 3}`, encrypted: false, scope: "action" },
    { name: "retries", type: "integer", value: String(i % 5), encrypted: false, scope: "action" },
    { name: "apiKey", type: "string", value: `secret-value-${i}`, encrypted: true, scope: "action" },
  ];
}

export function overridesPayload(env, i) {
  return [
    { name: "BASE_URL", value: `https://${env}.example.test/api`, masked: false, description: "endpoint" },
    { name: "TOKEN", value: `tok-${env}-${i}-abcdefgh`, masked: true, description: "credential" },
  ];
}

export const variablesPath = (id) => `/api/v2/dataactions/${id}/variables`;
export const overridesPath = (id, env) => `/api/v2/dataactions/${id}/environments/${env}/variables`;

/** Which sub-resources and expansions the emulator serves right now (found with one probe action). */
export async function probeFeatures(baseUrl, token) {
  const created = await call(baseUrl, token, "POST", "/api/v2/dataactions", actionPayload("bench_probe"));
  if (created.status !== 201) throw new Error(`probe create failed: ${created.status} ${created.text}`);
  const id = created.body.id;
  const variables = (await call(baseUrl, token, "GET", variablesPath(id))).status === 200;
  const overrides = (await call(baseUrl, token, "GET", overridesPath(id, "dev"))).status === 200;
  const expand = [];
  for (const name of ["variables", "environments"]) {
    const res = await call(baseUrl, token, "GET", `/api/v2/dataactions?pageSize=1&expand=${name}`);
    if (res.status === 200) expand.push(name);
  }
  await call(baseUrl, token, "DELETE", `/api/v2/dataactions/${id}`);
  const index = await call(baseUrl, token, "GET", "/api/v2");
  const capabilities =
    index.status === 200 && Array.isArray(index.body?.capabilities) ? index.body.capabilities : [];
  return { variables, overrides, expand, capabilities };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function inParallel(count, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function expectOk(res, what) {
  if (res.status < 200 || res.status >= 300) throw new Error(`${what} failed: ${res.status} ${res.text}`);
}

/**
 * Creates `count` actions (`prefix_00001`, …) with headers, and — when the emulator serves them — 3
 * variables and overrides in every environment. Needs an unthrottled emulator.
 */
export async function seedTenant(
  baseUrl,
  token,
  count,
  features,
  { prefix = "bench", concurrency = 16 } = {},
) {
  await inParallel(count, concurrency, async (i) => {
    const name = `${prefix}_${String(i + 1).padStart(5, "0")}`;
    const created = await call(baseUrl, token, "POST", "/api/v2/dataactions", actionPayload(name));
    expectOk(created, `create ${name}`);
    const id = created.body.id;
    if (features.variables)
      expectOk(
        await call(baseUrl, token, "PUT", variablesPath(id), { variables: variablesPayload(i) }),
        `variables of ${name}`,
      );
    if (features.overrides)
      for (const env of ENVIRONMENTS)
        expectOk(
          await call(baseUrl, token, "PUT", overridesPath(id, env), { variables: overridesPayload(env, i) }),
          `overrides of ${name} in ${env}`,
        );
  });
}

/** Closes the helpers' connection pool (a fresh one is made for later calls). */
export async function closeApiAgent() {
  const old = agent;
  agent = new Agent({ connections: 32 });
  await old.close();
}
