/**
 * B1: HTTP requests needed to read a tenant of 1 000 actions × 3 environments for plan/drift
 * (target ≤ 15), counted from the emulator's own request log: the SDK's reads (readLiveState for
 * `cxda plan` — the expanded list at pageSize 100 — and diffTenant for `cxda drift`) against a naive
 * reader that fetches every sub-resource (~4 000 requests).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createClient } from "../dist/index.js";
import {
  call,
  DEMO_CLIENT,
  ENVIRONMENTS,
  getToken,
  lastRequestSeq,
  overridesPath,
  probeFeatures,
  requestsSince,
  seedTenant,
  UNLIMITED,
  variablesPath,
} from "./lib/api.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "requests to read 1 000 actions × 3 envs";
export const TARGET = "≤ 15 requests";
const ACTIONS = 1000;
const RUNS = 3;
const LIVE_READER = fileURLToPath(new URL("../dist/project/read-live-state.js", import.meta.url));
const DRIFT = fileURLToPath(new URL("../dist/workflows/drift.js", import.meta.url));

function sdkClient(baseUrl) {
  return createClient({
    baseUrl,
    auth: { type: "clientCredentials", clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret },
  });
}

/** The SDK's read for `cxda plan` (readLiveState: expanded list at pageSize 100); returns actions read. */
async function planRead(baseUrl, expand) {
  const client = sdkClient(baseUrl);
  try {
    if (existsSync(LIVE_READER)) {
      const { readLiveState } = await import("../dist/project/read-live-state.js");
      return (await readLiveState(client)).live.actions.length;
    }
    let count = 0;
    const query = expand.length > 0 ? { expand: expand.join(",") } : {};
    for await (const _ of client.paginate("/dataactions", query, { pageSize: 100 })) count += 1;
    return count;
  } finally {
    await client.close();
  }
}

/** The SDK's read for `cxda drift` over the whole tenant (diffTenant dev → prod). */
async function driftRead(baseUrl) {
  const { diffTenant } = await import("../dist/workflows/drift.js");
  const cxda = sdkClient(baseUrl);
  try {
    return (await diffTenant(cxda.context, "dev", "prod")).actions.length;
  } finally {
    await cxda.close();
  }
}

/** The naive reader: default-size pages, then each action's variables and each environment's overrides. */
async function naiveRead(baseUrl, token, features) {
  const ids = [];
  for (let page = 1; ; page += 1) {
    const res = await call(baseUrl, token, "GET", `/api/v2/dataactions?page=${page}`);
    ids.push(...res.body.entities.map((a) => a.id));
    if (res.body.entities.length === 0 || page * res.body.pageSize >= res.body.total) break;
  }
  await call(baseUrl, token, "GET", "/api/v2/environments");
  for (const id of ids) {
    if (features.variables) await call(baseUrl, token, "GET", variablesPath(id));
    // Until the sub-resources exist, the naive reader still has to fetch each action once.
    else await call(baseUrl, token, "GET", `/api/v2/dataactions/${id}`);
    for (const env of ENVIRONMENTS) await call(baseUrl, token, "GET", overridesPath(id, env));
  }
  return ids.length;
}

async function countRequests(baseUrl, read) {
  const before = await lastRequestSeq(baseUrl);
  const entities = await read();
  const requests = await requestsSince(baseUrl, before);
  return { entities, api: requests.filter((r) => r.path.startsWith("/api/")).length };
}

export async function run({ log }) {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  try {
    const token = await getToken(emulator.url);
    const features = await probeFeatures(emulator.url, token);
    log(
      `emulator serves variables=${features.variables} overrides=${features.overrides} expand=[${features.expand}]`,
    );
    await seedTenant(emulator.url, token, ACTIONS, features);
    const plan = [];
    const drift = [];
    const naive = [];
    for (let i = 0; i < RUNS; i += 1) {
      const p = await countRequests(emulator.url, () => planRead(emulator.url, features.expand));
      if (p.entities !== ACTIONS)
        throw new Error(`the plan read saw ${p.entities} actions, expected ${ACTIONS}`);
      plan.push(p.api);
      if (existsSync(DRIFT))
        drift.push((await countRequests(emulator.url, () => driftRead(emulator.url))).api);
      naive.push((await countRequests(emulator.url, () => naiveRead(emulator.url, token, features))).api);
    }
    const baseline = { label: "naive reader", unit: "req", ...summarize(naive) };
    const complete = features.expand.includes("variables") && features.expand.includes("environments");
    const figure = (key, name, values, note) => {
      const measured = summarize(values);
      log(`${name}: ${measured.median} requests, naive ${baseline.median}`);
      return {
        id: "B1",
        key,
        figure: name,
        unit: "req",
        status: complete ? "ok" : "partial",
        measured,
        baseline,
        ratio: measured.median / baseline.median,
        target: TARGET,
        met: complete ? measured.median <= 15 : null,
        note: complete
          ? `${note}; API requests only (the token request is not counted)`
          : `pending: expand not available (served: [${features.expand.join(", ")}]); measured the list read without it`,
        details: { features },
      };
    };
    const figures = [figure("B1.1", "requests to read 1 000 actions × 3 envs: plan", plan, "readLiveState")];
    if (drift.length > 0)
      figures.push(
        figure("B1.2", "requests to read 1 000 actions × 3 envs: drift", drift, "diffTenant dev → prod"),
      );
    return figures;
  } finally {
    await emulator.close();
  }
}
