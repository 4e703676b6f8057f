/**
 * B4's profile: the emulator (child process, --cpu-prof) under the B4 load (autocannon, 50 connections,
 * GET /api/v2/dataactions/{id}) for `--seconds` (default 10), then the top costs per request: the
 * profile's self time grouped by function (and by file, `--by-file`), divided by the requests answered.
 * `node bench/profile-b4.mjs [--seconds 10] [--top 15] [--by-file]` (after `npm run build`).
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
    top: { type: "string", default: "15" },
    "by-file": { type: "boolean", default: false },
  },
});
const dir = mkdtempSync(join(tmpdir(), "cxda-b4-prof-"));
const emulator = await forkServer("./emulator-child.mjs", { rateLimit: UNLIMITED }, [
  "--cpu-prof",
  `--cpu-prof-dir=${dir}`,
]);
const token = await getToken(emulator.url);
const created = await call(emulator.url, token, "POST", "/api/v2/dataactions", actionPayload("bench_b4"));
const url = `${emulator.url}/api/v2/dataactions/${created.body.id}`;
const result = await autocannon({
  url,
  connections: 50,
  duration: Number(values.seconds),
  headers: { authorization: `Bearer ${token}` },
});
await emulator.close();
const requests = result.requests.total;
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));

// Self time per node: samples × the interval between them.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i += 1) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}
const groups = new Map();
let total = 0;
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  total += us;
  const { functionName, url: src, lineNumber } = node.callFrame;
  const short = src.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/dist\//, "dist/");
  const key = values["by-file"]
    ? short || functionName
    : `${functionName || "(anonymous)"} ${short}${short ? `:${lineNumber + 1}` : ""}`;
  groups.set(key, (groups.get(key) ?? 0) + us);
}
console.log(
  `${requests} requests in ${values.seconds} s (${result.requests.average.toFixed(0)} req/s); profile ${(total / 1e6).toFixed(2)} s; ${(total / requests).toFixed(1)} µs of samples per request`,
);
const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [key, us] of top)
  console.log(
    `${(us / requests).toFixed(2).padStart(7)} µs/req ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`,
  );
