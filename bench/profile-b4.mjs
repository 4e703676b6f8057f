/**
 * B4's profile: the emulator (child process, --cpu-prof) under the B4 load (autocannon, 50 connections,
 * GET /api/v2/dataactions/{id}) for `--seconds` (default 10), then the top costs per request: the
 * profile's self time grouped by function (and by file, `--by-file`), divided by the requests answered.
 * Only the samples taken during the load count (the profile's clock is the monotonic clock this process
 * reads too), so the emulator's start does not show up as a cost per request; `(idle)` is left out of
 * the shares, and the emulator's CPU time per request (`process.cpuUsage`) is printed beside them.
 * `node bench/profile-b4.mjs [--seconds 10] [--warmup 2] [--top 15] [--by-file] [--interval 1000]` (after
 * `npm run build`; `--interval`: µs between samples, finer than the default 1 000 to split sub-µs costs).
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { actionPayload, call, getToken, UNLIMITED } from "./lib/api.mjs";
import { forkServer } from "./lib/processes.mjs";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    top: { type: "string", default: "15" },
    "by-file": { type: "boolean", default: false },
    interval: { type: "string", default: "1000" },
  },
});
const dir = mkdtempSync(join(tmpdir(), "cxda-b4-prof-"));
const emulator = await forkServer("./emulator-child.mjs", { rateLimit: UNLIMITED }, [
  "--cpu-prof",
  `--cpu-prof-dir=${dir}`,
  `--cpu-prof-interval=${values.interval}`,
]);
const token = await getToken(emulator.url);
const created = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload("bench_b4"));
const url = `${emulator.url}/api/v2/dataactions/${created.body.id}`;
const headers = { authorization: `Bearer ${token}` };
// Warmed up first (JIT), outside the window counted below.
await autocannon({ url, connections: 50, duration: Number(values.warmup), headers });
const cpuBefore = await emulator.cpu();
const loadStart = process.hrtime.bigint() / 1000n;
const result = await autocannon({
  url,
  connections: 50,
  duration: Number(values.seconds),
  headers,
});
const loadEnd = process.hrtime.bigint() / 1000n;
const cpuAfter = await emulator.cpu();
await emulator.close();
const requests = result.requests.total;
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));

// Self time per node: samples × the interval between them, for the samples taken during the load.
const selfUs = new Map();
let at = BigInt(profile.startTime);
for (let i = 0; i < profile.samples.length; i += 1) {
  at += BigInt(profile.timeDeltas[i]);
  if (at < loadStart || at > loadEnd) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}
const groups = new Map();
let total = 0;
let idle = 0;
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  total += us;
  const { functionName, url: src, lineNumber } = node.callFrame;
  const short = src.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/dist\//, "dist/");
  const key = values["by-file"]
    ? short || functionName
    : `${functionName || "(anonymous)"} ${short}${short ? `:${lineNumber + 1}` : ""}`;
  if (functionName === "(idle)") idle += us;
  else groups.set(key, (groups.get(key) ?? 0) + us);
}
const busy = total - idle;
const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
console.log(
  `${requests} requests in ${values.seconds} s (${result.requests.average.toFixed(0)} req/s); emulator CPU ${(cpuUs / requests).toFixed(1)} µs per request (process.cpuUsage); samples during the load ${(total / 1e6).toFixed(2)} s, ${(busy / requests).toFixed(1)} µs busy per request (idle left out; shares are of busy time)`,
);
const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [key, us] of top)
  console.log(
    `${(us / requests).toFixed(2).padStart(7)} µs/req ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${key}`,
  );
