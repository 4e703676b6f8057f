/**
 * B4: emulator throughput on `GET /api/v2/dataactions/{id}` with 50 connections (autocannon) against a
 * bare node:http server answering the same bytes (same body, same headers). Both servers run in their
 * own child process; autocannon runs here. Rate limit effectively off. Target ≥ 0.85 × the bare server
 * (issue 21). The ratio is the median of interleaved pairs (which side goes first alternating), with the
 * pairs' spread; wider than ±10 % is inconclusive. `B4_PAIRS` / `B4_SECONDS` override the defaults.
 */
import autocannon from "autocannon";
import { request } from "undici";
import { actionPayload, call, getToken, UNLIMITED } from "./lib/api.mjs";
import { startBareServer, startEmulatorProcess } from "./lib/processes.mjs";
import { pairRatio, summarize, verdict } from "./lib/stats.mjs";

export const TITLE = "emulator GET throughput (50 connections)";
export const TARGET = "≥ 0.85 × bare node:http";
const CONNECTIONS = 50;
const SECONDS = Number(process.env.B4_SECONDS ?? 3);
const RUNS = Number(process.env.B4_PAIRS ?? 15);
const NOT_COPIED = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);

/** Requests per second, and the server's CPU microseconds per request (user + system) of one load. */
async function load(server, url, headers, duration) {
  const before = await server.cpu();
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  const after = await server.cpu();
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${url}: ${bad} failed requests (non-2xx ${result.non2xx}, errors ${result.errors})`);
  const cpuUs = after.user + after.system - before.user - before.system;
  return { rps: result.requests.average, cpuPerRequest: cpuUs / result.requests.total };
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
    const emuLoad = () => load(emulator, emulatorUrl, headers, SECONDS);
    const bareLoad = () => load(bare, bareUrl, headers, SECONDS);
    await load(emulator, emulatorUrl, headers, 3);
    await load(bare, bareUrl, headers, 3);
    const emu = [];
    const base = [];
    const ratios = [];
    // A diagnostic steadier than throughput on a shared machine: server CPU µs per request.
    const emuCpu = [];
    const bareCpu = [];
    for (let i = 0; i < RUNS; i += 1) {
      let e;
      let b;
      if (i % 2 === 0) {
        b = await bareLoad();
        e = await emuLoad();
      } else {
        e = await emuLoad();
        b = await bareLoad();
      }
      emu.push(e.rps);
      base.push(b.rps);
      emuCpu.push(e.cpuPerRequest);
      bareCpu.push(b.cpuPerRequest);
      ratios.push(e.rps / b.rps);
      log(
        `run ${i + 1}: emulator ${e.rps.toFixed(0)} req/s (${e.cpuPerRequest.toFixed(1)} µs CPU/req), bare ${b.rps.toFixed(0)} req/s (${b.cpuPerRequest.toFixed(1)} µs CPU/req)`,
      );
    }
    const pr = pairRatio(ratios);
    log(
      `server CPU per request: emulator ${summarize(emuCpu).median.toFixed(1)} µs, bare ${summarize(bareCpu).median.toFixed(1)} µs`,
    );
    log(
      `ratio ${pr.median.toFixed(3)} (${pr.min.toFixed(3)}–${pr.max.toFixed(3)}, spread ±${(pr.spread * 100).toFixed(0)} %)`,
    );
    return [
      {
        id: "B4",
        key: "B4.1",
        figure: "emulator GET /dataactions/{id}, 50 connections",
        unit: "req/s",
        status: pr.conclusive ? "ok" : "inconclusive",
        measured: summarize(emu),
        baseline: { label: "bare node:http", unit: "req/s", ...summarize(base) },
        ratio: pr.median,
        ratioRange: { min: pr.min, max: pr.max, spread: pr.spread, runs: pr.runs },
        target: TARGET,
        met: verdict(pr, (r) => r >= 0.85),
        details: {
          serverCpuPerRequestUs: { emulator: summarize(emuCpu), bare: summarize(bareCpu) },
        },
        note: `ratio = median of ${RUNS} interleaved ${SECONDS} s pairs; ${Buffer.byteLength(body)} B body`,
      },
    ];
  } finally {
    await bare?.close();
    await emulator.close();
  }
}
