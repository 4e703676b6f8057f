/**
 * B10: changesets, snapshots and history at scale (emulator in a child process).
 * - Commit time of one 1 000-operation changeset (250 actions, each created with its variables — one
 *   encrypted — and overrides in 2 environments; target ≤ 2 s), beside the same writes sent as 1 000
 *   single requests (8 at a time) as the baseline.
 * - RSS growth of the emulator while it streams a snapshot of 10 000 actions (sampled during the
 *   stream, after a GC each time; target ≤ 50 MB), the RSS before the stream as the baseline.
 * - RSS of the emulator holding 10 000 actions with 100 revisions each (a data directory: the history
 *   lives on disk as it would in use; target ≤ 400 MB), the empty emulator as the baseline.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  actionPayload,
  call,
  getToken,
  inParallel,
  overridesPath,
  overridesPayload,
  UNLIMITED,
  variablesPath,
  variablesPayload,
} from "./lib/api.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { msSince, summarize } from "./lib/stats.mjs";

export const TITLE = "changesets, snapshot and history at scale";
export const TARGET = "commit ≤ 2 s; snapshot ≤ 50 MB growth; 100 revisions × 10 000 ≤ 400 MB";
const ACTIONS = Number(process.env.B10_ACTIONS ?? 10_000);
const REVISIONS = Number(process.env.B10_REVISIONS ?? 100);
const RUNS = 3;
const MB = 1024 * 1024;

function operations(prefix) {
  const ops = [];
  for (let i = 0; i < 250; i += 1) {
    const name = `${prefix}_${i}`;
    ops.push({ op: "createAction", action: actionPayload(name) });
    ops.push({ op: "putVariables", ref: name, variables: variablesPayload(i) });
    for (const env of ["staging", "prod"])
      ops.push({ op: "putOverrides", ref: name, environmentId: env, variables: overridesPayload(env, i) });
  }
  return ops;
}

async function post(url, token, path, body) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

async function commitTimes(log) {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  try {
    const token = await getToken(emulator.url);
    const commit = [];
    const single = [];
    for (let run = 0; run < RUNS; run += 1) {
      const start = process.hrtime.bigint();
      const res = await post(emulator.url, token, "/api/v2/changesets", {
        operations: operations(`cs${run}`),
      });
      commit.push(msSince(start));
      if (res.status !== 201) throw new Error(`changeset: ${res.status} ${res.text.slice(0, 300)}`);
      const t0 = process.hrtime.bigint();
      await inParallel(250, 8, async (i) => {
        const created = await call(
          emulator.url,
          token,
          "POST",
          "/api/v2/dataactions",
          actionPayload(`one${run}_${i}`),
        );
        if (created.status !== 201) throw new Error(`single create: ${created.status}`);
        const id = created.body.id;
        await call(emulator.url, token, "PUT", variablesPath(id), { variables: variablesPayload(i) });
        for (const env of ["staging", "prod"])
          await call(emulator.url, token, "PUT", overridesPath(id, env), {
            variables: overridesPayload(env, i),
          });
      });
      single.push(msSince(t0));
      log(
        `run ${run + 1}: changeset of 1 000 operations ${commit.at(-1).toFixed(0)} ms; as single requests ${single.at(-1).toFixed(0)} ms`,
      );
    }
    return { commit: summarize(commit), single: summarize(single) };
  } finally {
    await emulator.close();
  }
}

async function seed(emulator, token, count) {
  const first = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload("b10_first"));
  if (first.status !== 201) throw new Error(`seed: ${first.status}`);
  await emulator.seed(first.body.id, count - 1);
}

async function snapshotGrowth(log) {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  try {
    const token = await getToken(emulator.url);
    await seed(emulator, token, ACTIONS);
    const before = (await emulator.memory()).rss / MB;
    let peak = before;
    const res = await fetch(`${emulator.url}/api/v2/snapshot`, {
      headers: { authorization: `Bearer ${token}` },
    });
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      chunks += 1;
      // A slow reader: the server must not buffer the rest of the tenant meanwhile.
      if (chunks % 8 === 0) peak = Math.max(peak, (await emulator.memory()).rss / MB);
    }
    peak = Math.max(peak, (await emulator.memory()).rss / MB);
    log(
      `snapshot of ${ACTIONS} actions: ${(bytes / MB).toFixed(1)} MB streamed; RSS ${before.toFixed(1)} → peak ${peak.toFixed(1)} MB`,
    );
    return { before, peak };
  } finally {
    await emulator.close();
  }
}

async function revisionsRss(log) {
  const dataDir = mkdtempSync(join(tmpdir(), "cxda-b10-"));
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED, dataDir });
  try {
    const token = await getToken(emulator.url);
    const empty = (await emulator.memory()).rss / MB;
    await seed(emulator, token, ACTIONS);
    const t0 = Date.now();
    await emulator.revise(REVISIONS - 1);
    const full = (await emulator.memory()).rss / MB;
    const sample = await call(emulator.url, token, "GET", "/api/v2/dataactions?pageSize=1");
    const id = sample.body.entities[0].id;
    const revs = await call(emulator.url, token, "GET", `/api/v2/dataactions/${id}/revisions?pageSize=1`);
    log(
      `${ACTIONS} actions × ${revs.body.total} revisions written in ${((Date.now() - t0) / 1000).toFixed(0)} s; RSS empty ${empty.toFixed(1)} MB, holding them ${full.toFixed(1)} MB`,
    );
    return { empty, full, kept: revs.body.total };
  } finally {
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run({ log }) {
  const times = await commitTimes(log);
  const snap = await snapshotGrowth(log);
  const history = await revisionsRss(log);
  const growth = snap.peak - snap.before;
  return [
    {
      id: "B10",
      key: "B10.1",
      figure: "commit of a 1 000-operation changeset",
      unit: "ms",
      status: "ok",
      measured: times.commit,
      baseline: { label: "the same writes as 1 000 single requests", unit: "ms", ...times.single },
      ratio: times.commit.median / times.single.median,
      target: "≤ 2 000 ms",
      met: times.commit.median <= 2000,
      note: "250 actions × (create, variables with 1 secret, overrides in 2 environments); wall time of the request",
    },
    {
      id: "B10",
      key: "B10.2",
      figure: `emulator RSS growth streaming a snapshot of ${ACTIONS} actions`,
      unit: "MB",
      status: "ok",
      measured: summarize([growth]),
      baseline: { label: "RSS before the stream", unit: "MB", ...summarize([snap.before]) },
      ratio: null,
      target: "≤ 50 MB",
      met: growth <= 50,
      note: "peak RSS sampled (after a GC) every 8 chunks of a slow reader, minus the RSS before",
    },
    {
      id: "B10",
      key: "B10.3",
      figure: `emulator RSS holding ${ACTIONS} actions × ${history.kept} revisions`,
      unit: "MB",
      status: "ok",
      measured: summarize([history.full]),
      baseline: { label: "empty emulator", unit: "MB", ...summarize([history.empty]) },
      ratio: null,
      target: "≤ 400 MB",
      met: history.full <= 400 && history.kept === REVISIONS,
      note: "data directory (SQLite on disk, as in use); RSS after a GC",
    },
  ];
}
