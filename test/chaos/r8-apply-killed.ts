/**
 * R8: `cxda apply` killed at a random point, then resumed. The built CLI applies a project of N actions
 * (dependencies, headers, variables, overrides in 3 environments, secrets from `${env:…}`) to a paced
 * emulator with a data dir; each of K runs is SIGKILLed at a seeded point (after a fraction of its
 * progress lines, or after a delay from its start), then one run goes to the end and `plan
 * --detailed-exitcode` must find nothing to do. Creates are counted from the emulator's request log:
 * a 201 is a create the first time its Idempotency-Key is seen, and each key is traced back to its
 * action name (apply derives it from the name and content), so a create-delete-create shows.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createIdempotencyKey, createSpecOf } from "../../src/project/apply.js";
import { loadProject } from "../../src/project/validate-project.js";
import { CLI } from "../helpers/cli.js";
import { type ChaosRun, chaosClient, exactly, type Figure, info, requestLog, seeded } from "./harness.js";
import { type R8Project, writeR8Project } from "./r8-project.js";
import type { ChaosSize } from "./sizes.js";

const CLIENT_ID = "chaos-sdk";
const PROGRESS = /^\[\s*(\d+)\/(\d+)\]/;

/** Where a run is killed: once this share of its progress lines were printed, or after `ms`. */
export type KillPoint = { lines: number } | { ms: number };

export interface CliRun {
  code: number | null;
  killed: boolean;
  /** Progress lines seen and the run's total steps (0 before its first progress line). */
  done: number;
  total: number;
  stdout: string;
  stderr: string;
}

export async function runR8(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  if (!existsSync(CLI)) return [exactly("R8", "CLI runs (dist/cli/bin.cjs built?)", 0, 1)];
  // Paced like a real tenant, so a run lasts long enough to be killed mid-way with writes in flight.
  // The request-per-resource path (no changesets); the changeset path is R8c (r8c-changeset-killed.ts).
  const emulator = await run.emulator("r8", {
    rateLimit: { perMinute: 3000, burst: 10 },
    seed: 8,
    disableCapabilities: ["changesets"],
  });
  const random = seeded(8);
  const project = writeR8Project(join(run.dir, "r8-project"), size.r8Actions, random);
  for (const s of project.secrets) run.secrets.add(s.value, s.kind);
  run.credentialHeaders.push(...project.credentialHeaders);
  const env = {
    CXDA_BASE_URL: emulator.url,
    CXDA_CLIENT_ID: CLIENT_ID,
    CXDA_CLIENT_SECRET: run.clientSecrets.sdk,
    CXDA_AUDIT_LOG: run.auditPath("r8-cli"),
    ...project.env,
  };
  const cli = (args: string[], kill?: KillPoint) => {
    const result = spawnCli(args, project.dir, env, kill);
    return result.then((r) => {
      run.outputs.push({ sink: "CLI stdout", text: r.stdout });
      run.outputs.push({ sink: "CLI stderr and --verbose traces", text: r.stderr });
      return r;
    });
  };
  try {
    const first = await cli(["plan", "--detailed-exitcode", "--json", "-f", project.file]);
    const points: string[] = [];
    let killed = 0;
    for (let k = 0; k < size.r8Kills; k++) {
      // Two in three runs die after a share of their progress lines, the others after a delay that
      // may land while the CLI starts, authenticates or reads the tenant.
      const kill: KillPoint =
        random() < 0.67 ? { lines: 0.05 + random() * 0.3 } : { ms: Math.round(300 + random() * 1500) };
      const r = await cli(["apply", "--auto-approve", "-f", project.file], kill);
      if (r.killed) killed += 1;
      const at = `${"ms" in kill ? `${kill.ms} ms ` : ""}${r.done}/${r.total || "?"}`;
      points.push(r.killed ? at : `${at} not killed`);
    }
    const final = await cli(["apply", "--auto-approve", "-f", project.file]);
    const plan = await cli(["plan", "--detailed-exitcode", "--json", "-f", project.file]);
    const planChanges = changesOf(plan.stdout);

    const figures: Figure[] = [
      info("R8", "project", `${project.names.length} actions, ${changesOf(first.stdout)} operations planned`),
      exactly("R8", "first plan --detailed-exitcode exit code (2 = changes)", first.code ?? -1, 2),
      exactly("R8", "apply runs SIGKILLed before their end", killed, size.r8Kills),
      info("R8", "kill points ([delay] progress lines done/total)", points.join("; ")),
      exactly("R8", "final apply exit code", final.code ?? -1, 0),
      info("R8", "final apply operations", final.total),
      exactly("R8", "final plan --detailed-exitcode exit code", plan.code ?? -1, 0),
      exactly("R8", "final plan changes", planChanges ?? -1, 0),
    ];
    figures.push(...(await tenantFigures(run, emulator, project)));
    // A kill may land between a commit and its audit line, but never leaves a torn line behind.
    const audit = auditLines(env.CXDA_AUDIT_LOG);
    figures.push(
      info("R8", "audit lines written by the runs", audit.lines),
      exactly("R8", "audit lines that are not whole JSON records", audit.torn, 0),
    );
    return figures;
  } finally {
    await emulator.close();
  }
}

/** The tenant's actions and the creates the request log shows, per name. */
async function tenantFigures(
  run: ChaosRun,
  emulator: Awaited<ReturnType<ChaosRun["emulator"]>>,
  project: R8Project,
): Promise<Figure[]> {
  const client = chaosClient(run, emulator, "raw");
  let live: string[];
  try {
    live = (await client.sdk.actions.listAll()).map((a) => a.name);
  } finally {
    await client.close();
  }
  const liveNames = new Set(live);
  const wanted = new Set(project.names);

  // Each action's create key, as apply derives it; a fresh key (after a reuse or a deleted replay) extends it.
  const loaded = loadProject(project.file, { env: project.env });
  const tenant = `${emulator.url.replace(/\/+$/, "")} ${CLIENT_ID}`;
  const keys = (loaded.project?.actions ?? []).map((a) => ({
    name: a.name,
    key: createIdempotencyKey(tenant, createSpecOf(a), a.secretHeaders),
  }));
  const nameOf = (key: string) => keys.find((k) => key === k.key || key.startsWith(`${k.key}-`))?.name;

  const requests = (await requestLog(emulator)).filter((r) => r.clientId === CLIENT_ID);
  const posts = requests.filter((r) => r.method === "POST" && r.path === "/api/v2/dataactions");
  const seenKeys = new Set<string>();
  const createsByName = new Map<string, number>();
  let creates = 0;
  let replays = 0;
  let withoutKey = 0;
  let unattributed = 0;
  for (const post of posts) {
    if (post.status !== 201) continue;
    if (post.idempotencyKey === null) {
      withoutKey += 1;
      creates += 1;
      unattributed += 1;
      continue;
    }
    if (seenKeys.has(post.idempotencyKey)) {
      replays += 1;
      continue;
    }
    seenKeys.add(post.idempotencyKey);
    creates += 1;
    const name = nameOf(post.idempotencyKey);
    if (name === undefined) unattributed += 1;
    else createsByName.set(name, (createsByName.get(name) ?? 0) + 1);
  }
  const deletes = requests.filter(
    (r) => r.method === "DELETE" && r.path.startsWith("/api/v2/dataactions/") && (r.status ?? 0) < 300,
  ).length;
  const serverErrors = requests.filter((r) => r.status !== null && r.status >= 500).length;
  const conflicts = posts.filter((r) => r.status === 409).length;

  return [
    exactly("R8", "actions in the tenant", live.length, project.names.length),
    exactly(
      "R8",
      "project actions missing from the tenant",
      [...wanted].filter((n) => !liveNames.has(n)).length,
      0,
    ),
    exactly("R8", "duplicate names in the tenant", live.length - liveNames.size, 0),
    exactly("R8", "creating POSTs (201, first use of their key)", creates, project.names.length),
    exactly("R8", "names created more than once", [...createsByName.values()].filter((n) => n > 1).length, 0),
    exactly("R8", "creates not traced to a project action", unattributed, 0),
    exactly("R8", "creates without an Idempotency-Key", withoutKey, 0),
    exactly("R8", "action DELETEs", deletes, 0),
    exactly("R8", "create POSTs refused as a name conflict (409)", conflicts, 0),
    exactly("R8", "5xx answers", serverErrors, 0),
    info("R8", "creates replayed from a killed run's key", replays),
    info("R8", "requests the CLI made", requests.length),
  ];
}

function auditLines(path: string): { lines: number; torn: number } {
  if (!existsSync(path)) return { lines: 0, torn: 0 };
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  let torn = 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
    } catch {
      torn += 1;
    }
  }
  return { lines: lines.length, torn };
}

/** `plan --json`: the number of changes that are not no-ops (undefined when the output is not a plan). */
function changesOf(stdout: string): number | undefined {
  try {
    const body = JSON.parse(stdout) as { changes?: { kind: string }[] };
    return body.changes?.filter((c) => c.kind !== "no-op").length;
  } catch {
    return undefined;
  }
}

/** Runs the built CLI; with `kill`, SIGKILLs it at that point (if it is still running then). */
export function spawnCli(
  args: string[],
  cwd: string,
  extraEnv: Record<string, string>,
  kill?: KillPoint,
): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
  Object.assign(env, extraEnv, { NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") });
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: CliRun = { code: null, killed: false, done: 0, total: 0, stdout: "", stderr: "" };
    let exited = false;
    const killNow = () => {
      if (exited || out.killed) return;
      out.killed = child.kill("SIGKILL");
    };
    // A run that hangs is killed too, and then fails the figures (it is not counted as a planned kill).
    const guard = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, 300_000);
    const timer = kill && "ms" in kill ? setTimeout(killNow, kill.ms) : undefined;
    let partial = "";
    child.stdout.on("data", (d: Buffer) => {
      const text = d.toString();
      out.stdout += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const m = PROGRESS.exec(line);
        if (!m) continue;
        out.done = Number(m[1]);
        out.total = Number(m[2]);
        if (kill && "lines" in kill && out.done >= Math.max(1, Math.ceil(kill.lines * out.total))) killNow();
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      out.stderr += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => {
      exited = true;
    });
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      out.code = code;
      out.killed = out.killed && signal === "SIGKILL";
      done(out);
    });
  });
}
