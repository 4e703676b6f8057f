/**
 * B9: memory of a long apply. `cxda apply --auto-approve` (the built CLI, its own process) applies a
 * project of `B9_ACTIONS` (default 5 000) new actions — headers, 3 variables (1 encrypted), overrides in
 * 3 environments — on the request-per-resource path (the emulator child runs without the changesets
 * capability) with the rate limit effectively off. The CLI's RSS is sampled every 100 ms from
 * /proc/<pid>/status; target: the peak of the last minute ≤ 1.2 × the peak of the first minute (no
 * growth with the operations done). When the run is shorter than three minutes, the windows are its
 * first and last third instead (said in the figure), so the two never overlap.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_CLIENT, ENVIRONMENTS, UNLIMITED } from "./lib/api.mjs";
import { applyProjectYaml } from "./lib/fixtures.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";

export const TITLE = "memory of a long apply (per-resource)";
export const TARGET = "last-minute peak RSS ≤ 1.2 × first-minute peak";
const ACTIONS = Number(process.env.B9_ACTIONS ?? 5000);
const SAMPLE_MS = 100;
const MB = 1024 * 1024;
const SECRET = "b9-encrypted-value-0123456789";
const BIN = fileURLToPath(new URL("../dist/cli/bin.cjs", import.meta.url));

const projectYaml = (count) => applyProjectYaml("b9apply", count, "B9_SECRET", ENVIRONMENTS);

/** Resident set size of `pid` in bytes, or undefined once it is gone. */
function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the CLI's apply, sampling its RSS; resolves to `{samples: [{t, rss}], seconds, code, stderr}`. */
function applyWithSamples(dir, baseUrl) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [BIN, "apply", "--auto-approve", "--json", "-f", join(dir, "cxda.yaml"), "--base-url", baseUrl],
      {
        cwd: dir,
        stdio: ["ignore", "ignore", "pipe"],
        env: {
          ...process.env,
          CXDA_CLIENT_ID: DEMO_CLIENT.id,
          CXDA_CLIENT_SECRET: DEMO_CLIENT.secret,
          B9_SECRET: SECRET,
          NO_COLOR: "1",
        },
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const samples = [];
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    const timer = setInterval(() => {
      const rss = rssOf(child.pid);
      if (rss !== undefined) samples.push({ t: seconds(), rss });
    }, SAMPLE_MS);
    child.once("error", (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearInterval(timer);
      resolve({ samples, seconds: seconds(), code, stderr });
    });
  });
}

const peakOf = (samples) => samples.reduce((m, s) => Math.max(m, s.rss), 0);

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), "cxda-b9-"));
  writeFileSync(join(dir, "cxda.yaml"), projectYaml(ACTIONS));
  writeFileSync(join(dir, "main.js"), "function main(context) {\n  return context.input;\n}\n");
  const emulator = await startEmulatorProcess({
    rateLimit: UNLIMITED,
    disableCapabilities: ["changesets"],
  });
  try {
    const { samples, seconds, code, stderr } = await applyWithSamples(dir, emulator.url);
    if (code !== 0) throw new Error(`cxda apply exited with ${code}: ${stderr}`);
    const window = Math.min(60, seconds / 3);
    const first = samples.filter((s) => s.t <= window);
    const last = samples.filter((s) => s.t >= seconds - window);
    const firstPeak = peakOf(first) / MB;
    const lastPeak = peakOf(last) / MB;
    const ratio = lastPeak / firstPeak;
    // The RSS curve in ten slices (each slice's peak), to see a trend, not only the two ends.
    const slices = Array.from({ length: 10 }, (_, k) =>
      Math.round(
        peakOf(samples.filter((s) => s.t >= (k * seconds) / 10 && s.t < ((k + 1) * seconds) / 10)) / MB,
      ),
    );
    log(
      `${ACTIONS} actions applied in ${seconds.toFixed(1)} s; peak RSS first ${window.toFixed(0)} s ${firstPeak.toFixed(1)} MB, last ${window.toFixed(0)} s ${lastPeak.toFixed(1)} MB, ratio ${ratio.toFixed(3)}; peaks by tenth: ${slices.join(" ")} MB`,
    );
    const windowText = window === 60 ? "minute" : `${window.toFixed(0)} s (a third of the run)`;
    return [
      {
        id: "B9",
        key: "B9.1",
        figure: `cxda apply of ${ACTIONS} actions per resource: peak RSS of the last ${windowText}`,
        unit: "MB",
        status: "ok",
        measured: { median: lastPeak, min: lastPeak, max: lastPeak, runs: [lastPeak] },
        baseline: {
          label: `peak RSS of the first ${windowText}`,
          unit: "MB",
          median: firstPeak,
          min: firstPeak,
          max: firstPeak,
          runs: [firstPeak],
        },
        ratio,
        target: TARGET,
        met: ratio <= 1.2,
        details: { seconds, sampleMs: SAMPLE_MS, peaksByTenthMb: slices },
        note: `one run of ${seconds.toFixed(0)} s; rate limit off, server without changesets; RSS sampled every ${SAMPLE_MS} ms`,
      },
    ];
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
