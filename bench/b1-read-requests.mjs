/**
 * B1: HTTP requests needed to read a tenant of 10 000 actions × 3 environments for plan/drift
 * (target ≤ 3), counted from the emulator's own request log: the SDK's reads (readLiveState for
 * `cxda plan` and diffTenant for `cxda drift`), which take one `GET /snapshot` from a server that
 * advertises it, against the same reads on the request-per-resource path (the expanded list at
 * pageSize 100: 101 requests), measured in the same run on the same tenant.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createClient } from "../dist/index.js";
import {
  DEMO_CLIENT,
  getToken,
  lastRequestSeq,
  probeFeatures,
  requestsSince,
  seedTenant,
  UNLIMITED,
} from "./lib/api.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "requests to read 10 000 actions × 3 envs";
export const TARGET = "≤ 3 requests";
const ACTIONS = 10_000;
const RUNS = 3;
const LIVE_READER = fileURLToPath(new URL("../dist/project/read-live-state.js", import.meta.url));
const DRIFT = fileURLToPath(new URL("../dist/workflows/drift.js", import.meta.url));

function sdkClient(baseUrl) {
  return createClient({
    baseUrl,
    auth: { type: "clientCredentials", clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret },
  });
}

/** The client as a server without snapshots would leave it: the request-per-resource path. */
function withoutSnapshot(client) {
  return Object.assign(Object.create(client), {
    snapshot: { ...client.snapshot, available: async () => false },
  });
}

/** The SDK's read for `cxda plan` (readLiveState: the snapshot, or the expanded list); returns actions read. */
async function planRead(baseUrl, expand, perResource = false) {
  const client = sdkClient(baseUrl);
  try {
    if (existsSync(LIVE_READER)) {
      const { readLiveState } = await import("../dist/project/read-live-state.js");
      return (await readLiveState(perResource ? withoutSnapshot(client) : client)).live.actions.length;
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
async function driftRead(baseUrl, perResource = false) {
  const { diffTenant } = await import("../dist/workflows/drift.js");
  const cxda = sdkClient(baseUrl);
  try {
    const client = perResource ? withoutSnapshot(cxda.context.client) : cxda.context.client;
    return (await diffTenant({ client }, "dev", "prod")).actions.length;
  } finally {
    await cxda.close();
  }
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
    const planBase = [];
    const driftBase = [];
    for (let i = 0; i < RUNS; i += 1) {
      const p = await countRequests(emulator.url, () => planRead(emulator.url, features.expand));
      if (p.entities !== ACTIONS)
        throw new Error(`the plan read saw ${p.entities} actions, expected ${ACTIONS}`);
      plan.push(p.api);
      planBase.push(
        (await countRequests(emulator.url, () => planRead(emulator.url, features.expand, true))).api,
      );
      if (existsSync(DRIFT)) {
        drift.push((await countRequests(emulator.url, () => driftRead(emulator.url))).api);
        driftBase.push((await countRequests(emulator.url, () => driftRead(emulator.url, true))).api);
      }
    }
    const snapshot = features.capabilities.includes("snapshot");
    const figure = (key, name, values, base, note) => {
      const measured = summarize(values);
      const baseline = { label: "the same read, request per resource", unit: "req", ...summarize(base) };
      log(`${name}: ${measured.median} requests, per resource ${baseline.median}`);
      return {
        id: "B1",
        key,
        figure: name,
        unit: "req",
        status: snapshot ? "ok" : "partial",
        measured,
        baseline,
        ratio: measured.median / baseline.median,
        target: TARGET,
        met: snapshot ? measured.median <= 3 : null,
        note: snapshot
          ? `${note}; API requests only (the token request is not counted)`
          : "pending: the emulator does not advertise snapshot; measured the paged read",
        details: { features },
      };
    };
    const figures = [
      figure("B1.1", "requests to read 10 000 actions × 3 envs: plan", plan, planBase, "readLiveState"),
    ];
    if (drift.length > 0)
      figures.push(
        figure(
          "B1.2",
          "requests to read 10 000 actions × 3 envs: drift",
          drift,
          driftBase,
          "diffTenant dev → prod",
        ),
      );
    return figures;
  } finally {
    await emulator.close();
  }
}
