/**
 * B12: one replica on PostgreSQL against one on SQLite.
 * - `GET /api/v2/dataactions/{id}` throughput, 50 connections (autocannon), the emulator on a fresh
 *   PostgreSQL database against the emulator on a SQLite data directory, each in its own process;
 *   interleaved pairs. Target ≥ 0.7×.
 * - B7 on PostgreSQL: RSS of a replica holding 10 000 actions (1 000 created over HTTP, the rest copied
 *   through its store), after a GC; the same replica empty as the baseline. Target ≤ 150 MB.
 * `B12_PAIRS` / `B12_SECONDS` override the defaults.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { actionPayload, call, getToken, inParallel, UNLIMITED } from "./lib/api.mjs";
import { freshDatabase } from "./lib/postgres.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "one replica on PostgreSQL vs SQLite";
export const TARGET = "GET ≥ 0.7 × SQLite; ≤ 150 MB at 10 000 actions";
const CONNECTIONS = 50;
const SECONDS = Number(process.env.B12_SECONDS ?? 3);
const RUNS = Number(process.env.B12_PAIRS ?? 9);
const ACTIONS = 10_000;
const MB = 1024 * 1024;

async function rps(url, headers) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${url}: ${bad} failed requests (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return result.requests.average;
}

async function target(emulator) {
  const token = await getToken(emulator.url);
  const created = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload("bench_b12"));
  if (created.status !== 201) throw new Error(`create: ${created.status}`);
  return {
    url: `${emulator.url}/api/v2/dataactions/${created.body.id}`,
    headers: { authorization: `Bearer ${token}` },
  };
}

async function throughput(log) {
  const database = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "cxda-b12-"));
  let pg;
  let sqlite;
  try {
    pg = await startEmulatorProcess({ database: database.url, rateLimit: UNLIMITED });
    sqlite = await startEmulatorProcess({ dataDir, rateLimit: UNLIMITED });
    const onPg = await target(pg);
    const onSqlite = await target(sqlite);
    await rps(onPg.url, onPg.headers);
    await rps(onSqlite.url, onSqlite.headers);
    const pgRuns = [];
    const sqliteRuns = [];
    const ratios = [];
    for (let i = 0; i < RUNS; i += 1) {
      let p;
      let s;
      if (i % 2 === 0) {
        s = await rps(onSqlite.url, onSqlite.headers);
        p = await rps(onPg.url, onPg.headers);
      } else {
        p = await rps(onPg.url, onPg.headers);
        s = await rps(onSqlite.url, onSqlite.headers);
      }
      pgRuns.push(p);
      sqliteRuns.push(s);
      ratios.push(p / s);
      log(`run ${i + 1}: PostgreSQL ${p.toFixed(0)} req/s, SQLite ${s.toFixed(0)} req/s`);
    }
    const pr = pairRatio(ratios);
    log(
      `ratio ${pr.median.toFixed(3)} (${pr.min.toFixed(3)}–${pr.max.toFixed(3)}, spread ±${(pr.spread * 100).toFixed(0)} %)`,
    );
    return {
      id: "B12",
      key: "B12.1",
      figure: "GET /dataactions/{id} on PostgreSQL, 50 connections",
      unit: "req/s",
      status: pr.conclusive ? "ok" : "inconclusive",
      measured: summarize(pgRuns),
      baseline: { label: "the same on SQLite (data dir)", unit: "req/s", ...summarize(sqliteRuns) },
      ratio: pr.median,
      ratioRange: { min: pr.min, max: pr.max, spread: pr.spread, runs: pr.runs },
      target: "≥ 0.7 × SQLite",
      met: verdict(pr, (r) => r >= 0.7),
      note: `ratio = median of ${RUNS} interleaved ${SECONDS} s pairs; shared rate limiter on, limit effectively off (a lease of 833 tokens per bucket update)`,
    };
  } finally {
    await pg?.close();
    await sqlite?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function memory(log) {
  const database = await freshDatabase();
  let replica;
  try {
    replica = await startEmulatorProcess({ database: database.url, rateLimit: UNLIMITED });
    const token = await getToken(replica.url);
    const empty = (await replica.memory()).rss / MB;
    let first;
    await inParallel(1000, 16, async (i) => {
      const res = await call(replica.url, token, "POST", "/api/v2/dataactions", actionPayload(`act_${i}`));
      if (res.status !== 201) throw new Error(`create act_${i}: ${res.status} ${res.text.slice(0, 200)}`);
      first ??= res.body.id;
    });
    await replica.seed(first, ACTIONS - 1000);
    // Read every page once, so whatever the replica keeps of a large tenant is in memory.
    for (let page = 1; page <= ACTIONS / 100; page += 1) {
      const res = await call(replica.url, token, "GET", `/api/v2/dataactions?page=${page}&pageSize=100`);
      if (res.status !== 200) throw new Error(`page ${page}: ${res.status}`);
    }
    const full = (await replica.memory()).rss / MB;
    log(`RSS empty ${empty.toFixed(1)} MB, holding ${ACTIONS} actions ${full.toFixed(1)} MB`);
    return {
      id: "B12",
      key: "B12.2",
      figure: `B7 on PostgreSQL: RSS of a replica holding ${ACTIONS} actions (every page read once)`,
      unit: "MB",
      status: "ok",
      measured: summarize([full]),
      baseline: { label: "the same replica empty", unit: "MB", ...summarize([empty]) },
      ratio: full / empty,
      target: "≤ 150 MB",
      met: full <= 150,
      note: "RSS after a GC, child process; the database's memory is PostgreSQL's, not the replica's",
    };
  } finally {
    await replica?.close();
    await database.drop();
  }
}

export async function run({ log }) {
  return [await throughput(log), await memory(log)];
}
