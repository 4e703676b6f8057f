/**
 * R16: the mode of every file and directory cxda writes, with the most permissive umask (000), through
 * the CLI: the emulator's data directory (database, WAL, SHM, root.key), the audit log, a saved plan and
 * an exported project — files 0600, directories 0700. Then a data directory and database loosened to
 * 0755/0644 are tightened at the next start, and a root.key readable by others stops the start unless
 * --insecure-key-permissions.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE } from "../../src/emulator/store/sqlite-store.js";
import { CLI } from "../helpers/cli.js";
import { type ChaosRun, exactly, type Figure, info } from "./harness.js";

const PROJECT = `apiVersion: cxda/v1
actions:
  r16_lookup:
    type: SCRIPT
    description: written by R16
    script: { file: scripts/lookup.js }
`;

function environment(cwd: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
  return { ...env, NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") };
}

/** `cxda …` under `umask 000`. */
function cxda(cwd: string, args: string[]): ChildProcess {
  return spawn("/bin/sh", ["-c", 'umask 000 && exec "$0" "$@"', process.execPath, CLI, ...args], {
    cwd,
    env: environment(cwd),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Starts `cxda emulator start` and resolves with its URL, its stderr so far and a stop function. */
async function startEmulatorCli(cwd: string, args: string[]) {
  const child = cxda(cwd, ["emulator", "start", "--port", "0", ...args]);
  const done = finished(child);
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const url = await new Promise<string | undefined>((resolve) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void done.then(() => resolve(undefined));
  });
  return {
    url,
    stderr: () => err,
    done,
    async stop() {
      child.kill("SIGTERM");
      return done;
    },
  };
}

/** Every file and directory under `path` (itself included) whose mode is not the private one. */
function walk(path: string, found: { files: number; dirs: number; wrong: string[] }): void {
  const stat = statSync(path);
  const mode = stat.mode & 0o777;
  if (stat.isDirectory()) {
    found.dirs += 1;
    if (mode !== 0o700) found.wrong.push(`${path} ${mode.toString(8)}`);
    for (const entry of readdirSync(path)) walk(join(path, entry), found);
  } else {
    found.files += 1;
    if (mode !== 0o600) found.wrong.push(`${path} ${mode.toString(8)}`);
  }
}

export async function runR16(run: ChaosRun): Promise<Figure[]> {
  if (process.platform === "win32") return [info("R16", "skipped", "POSIX modes only")];
  const cwd = join(run.dir, "r16");
  mkdirSync(join(cwd, "scripts"), { recursive: true });
  writeFileSync(join(cwd, "cxda.yaml"), PROJECT);
  writeFileSync(join(cwd, "scripts", "lookup.js"), "function main(context) { return context.input; }\n");
  const dataDir = join(cwd, "state");

  const first = await startEmulatorCli(cwd, ["--data-dir", dataDir]);
  if (first.url === undefined) throw new Error(`the emulator did not start: ${first.stderr()}`);
  const base = ["--base-url", first.url];
  const steps = [
    await finished(cxda(cwd, ["apply", "--auto-approve", ...base])),
    await finished(cxda(cwd, ["plan", "--out", "plan.json", ...base])),
    await finished(cxda(cwd, ["export", "-o", "exported", ...base])),
  ];
  const failedSteps = steps.filter((s) => s.code !== 0).length;
  // The data directory while the emulator runs (the WAL and SHM exist until it closes), the rest after.
  const found = { files: 0, dirs: 0, wrong: [] as string[] };
  walk(dataDir, found);
  await first.stop();
  for (const path of [join(cwd, "cxda-audit.jsonl"), join(cwd, "plan.json"), join(cwd, "exported")])
    walk(path, found);

  // Loosened by hand, tightened at the next start.
  const db = join(dataDir, DATABASE_FILE);
  chmodSync(dataDir, 0o755);
  chmodSync(db, 0o644);
  const second = await startEmulatorCli(cwd, ["--data-dir", dataDir]);
  const tightenWarnings = second
    .stderr()
    .split("\n")
    .filter((l) => l.includes("cxda set it to")).length;
  await second.stop();
  const tightened = [dataDir, db].filter((p) => (statSync(p).mode & 0o077) === 0).length;

  // A root.key others can read.
  chmodSync(join(dataDir, "root.key"), 0o644);
  const refused = await startEmulatorCli(cwd, ["--data-dir", dataDir]);
  const refusal = (await refused.done).stderr;
  const accepted = await startEmulatorCli(cwd, ["--data-dir", dataDir, "--insecure-key-permissions"]);
  const acceptedStarted = accepted.url !== undefined ? 1 : 0;
  await accepted.stop();

  const figures = [
    exactly("R16", "CLI steps failed (apply, plan --out, export)", failedSteps, 0),
    info("R16", "files written and checked (umask 000)", found.files),
    info("R16", "directories written and checked", found.dirs),
    exactly("R16", "files not 0600 or directories not 0700", found.wrong.length, 0),
    exactly(
      "R16",
      "loosened data dir and database tightened at start (warned)",
      Math.min(tightened, tightenWarnings),
      2,
    ),
    exactly(
      "R16",
      "start refused with a root.key others can read",
      refused.url === undefined && /--insecure-key-permissions/.test(refusal) ? 1 : 0,
      1,
    ),
    exactly("R16", "start with --insecure-key-permissions (warns)", acceptedStarted, 1),
  ];
  for (const w of found.wrong.slice(0, 5)) figures.push(info("R16", "wrong mode", w));
  return figures;
}
