/**
 * B4: emulator throughput on `GET /api/v2/dataactions/{id}` with 50 connections (autocannon) against a
 * bare node:http server answering the same bytes (same body, same headers). Both servers run in their
 * own child process; autocannon runs here. Rate limit effectively off. Target ≥ 0.5 × the bare server.
 */
import autocannon from "autocannon";
import { request } from "undici";
import { actionPayload, call, getToken, UNLIMITED } from "./lib/api.mjs";
import { startBareServer, startEmulatorProcess } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "emulator GET throughput (50 connections)";
export const TARGET = "≥ 0.5 × bare node:http";
const CONNECTIONS = 50;
const SECONDS = 4;
const RUNS = 3;
const NOT_COPIED = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);

async function load(url, headers, duration) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${url}: ${bad} failed requests (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return result.requests.average;
}

export async function run({ log }) {
  const emulator = await startEmulatorProcess({ rateLimit: UNLIMITED });
  let bare;
  try {
    const token = await getToken(emulator.url);
    const created = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload("bench_b4"));
    const path = `/api/v2/dataactions/${created.body.id}`;
    const headers = { authorization: `Bearer ${token}` };
    const sample = await request(`${emulator.url}${path}`, { headers });
    const body = await sample.body.text();
    const copied = Object.fromEntries(
      Object.entries(sample.headers).filter(([name]) => !NOT_COPIED.has(name)),
    );
    bare = await startBareServer(body, copied);
    const emulatorUrl = `${emulator.url}${path}`;
    const bareUrl = `${bare.url}${path}`;
    await load(emulatorUrl, headers, 1);
    await load(bareUrl, headers, 1);
    const emu = [];
    const base = [];
    const ratios = [];
    for (let i = 0; i < RUNS; i += 1) {
      if (i % 2 === 0) {
        base.push(await load(bareUrl, headers, SECONDS));
        emu.push(await load(emulatorUrl, headers, SECONDS));
      } else {
        emu.push(await load(emulatorUrl, headers, SECONDS));
        base.push(await load(bareUrl, headers, SECONDS));
      }
      ratios.push(emu[i] / base[i]);
      log(`run ${i + 1}: emulator ${emu[i].toFixed(0)} req/s, bare ${base[i].toFixed(0)} req/s`);
    }
    const ratio = summarize(ratios).median;
    return [
      {
        id: "B4",
        key: "B4.1",
        figure: "emulator GET /dataactions/{id}, 50 connections",
        unit: "req/s",
        status: "ok",
        measured: summarize(emu),
        baseline: { label: "bare node:http", unit: "req/s", ...summarize(base) },
        ratio,
        target: TARGET,
        met: ratio >= 0.5,
        note: `ratio = median of ${RUNS} interleaved ${SECONDS} s pairs; ${Buffer.byteLength(body)} B body`,
      },
    ];
  } finally {
    await bare?.close();
    await emulator.close();
  }
}
