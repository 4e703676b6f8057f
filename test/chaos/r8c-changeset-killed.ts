/**
 * R8c (R8 again, with changesets): `cxda apply` writes the whole plan as one changeset, so a SIGKILL at
 * any point leaves the tenant exactly at the old state or the new one. Round 0 applies R8's project whole
 * and times it; each of K rounds then edits the project (every description, the dev overrides, one new
 * action), starts an apply, SIGKILLs it at a seeded delay within that time, reads the tenant (compared
 * as the planner reads it, ids and versions included) and requires old or new, never a mix; then resumes
 * and requires the new state with nothing left to plan. Every action keeps the id it was first seen
 * with: nothing is created twice.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../src/project/plan.js";
import { readLiveState } from "../../src/project/read-live-state.js";
import { CLI } from "../helpers/cli.js";
import {
  atLeast,
  type ChaosRun,
  chaosClient,
  exactly,
  type Figure,
  info,
  pending,
  seeded,
} from "./harness.js";
import { spawnCli } from "./r8-apply-killed.js";
import { writeR8Project } from "./r8-project.js";
import type { ChaosSize } from "./sizes.js";

const CLIENT_ID = "chaos-sdk";

export async function runR8c(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  if (!existsSync(CLI)) return [exactly("R8c", "CLI runs (dist/cli/bin.cjs built?)", 0, 1)];
  const emulator = await run.emulator("r8c", { rateLimit: { perMinute: 3000, burst: 10 }, seed: 18 });
  const reader = chaosClient(run, emulator, "sdk");
  try {
    if (!(await reader.sdk.changesets.available()))
      return [pending("R8c", "the emulator does not advertise changesets yet")];
    const random = seeded(818);
    const project = writeR8Project(join(run.dir, "r8c-project"), size.r8Actions, random);
    for (const s of project.secrets) run.secrets.add(s.value, s.kind);
    run.credentialHeaders.push(...project.credentialHeaders);
    const base = readFileSync(project.file, "utf8");
    const env = {
      CXDA_BASE_URL: emulator.url,
      CXDA_CLIENT_ID: CLIENT_ID,
      CXDA_CLIENT_SECRET: run.clientSecrets.sdk,
      CXDA_AUDIT_LOG: run.auditPath("r8c-cli"),
      ...project.env,
    };
    const cli = async (args: string[], kill?: { ms: number }) => {
      const r = await spawnCli(args, project.dir, env, kill);
      run.outputs.push({ sink: "CLI stdout", text: r.stdout });
      run.outputs.push({ sink: "CLI stderr and --verbose traces", text: r.stderr });
      return r;
    };
    // The tenant as the planner reads it, without the revision (every write moves it, reads do not).
    const state = async (): Promise<{ text: string; ids: Map<string, string> }> => {
      const { live } = await readLiveState(reader.sdk.context.client);
      return {
        text: canonicalJson(live.actions),
        ids: new Map(live.actions.map((a) => [a.name, a.id])),
      };
    };
    const firstIds = new Map<string, string>();
    let idChanges = 0;
    const track = (ids: Map<string, string>) => {
      for (const [name, id] of ids) {
        const first = firstIds.get(name);
        if (first === undefined) firstIds.set(name, id);
        else if (first !== id) idChanges += 1;
      }
    };

    const first = await cli(["apply", "--auto-approve", "--json", "-f", project.file]);
    // A whole run of a round's kind of change (every description edited), timed: the kills fall within it.
    writeFileSync(project.file, base.replaceAll("of the R8 chain.", "of the R8 chain, round 0."));
    const started = Date.now();
    await cli(["apply", "--auto-approve", "-f", project.file]);
    const fullMs = Date.now() - started;
    const via = (() => {
      try {
        return (JSON.parse(first.stdout) as { via?: string }).via ?? "?";
      } catch {
        return "?";
      }
    })();
    track((await state()).ids);

    let mixed = 0;
    let atOld = 0;
    let atNew = 0;
    let killed = 0;
    let resumeFailures = 0;
    let unclean = 0;
    const points: string[] = [];
    const added: string[] = [];
    for (let k = 1; k <= size.r8cKills; k++) {
      added.push(
        `  r8c_new_${k}:`,
        "    type: SCRIPT",
        `    description: Added in round ${k}.`,
        "    script: { file: scripts/r8_step_00.js }",
        "    dependencies: [r8_step_00]",
      );
      const text = `${base
        .replaceAll("of the R8 chain.", `of the R8 chain, round ${k}.`)
        .replaceAll(
          "https://dev.example.com/r8/",
          `https://dev.example.com/round${k}/`,
        )}${added.join("\n")}\n`;
      const old = await state();
      writeFileSync(project.file, text);
      // Anywhere from the start (starting, reading) to the end of a whole run (the commit and after).
      const ms = Math.round(100 + random() * fullMs);
      const r = await cli(["apply", "--auto-approve", "-f", project.file], { ms });
      if (r.killed) killed += 1;
      const after = await state();
      track(after.ids);
      const resumed = await cli(["apply", "--auto-approve", "-f", project.file]);
      if (resumed.code !== 0) resumeFailures += 1;
      const done = await state();
      track(done.ids);
      const where = after.text === old.text ? "old" : after.text === done.text ? "new" : "MIXED";
      if (where === "old") atOld += 1;
      else if (where === "new") atNew += 1;
      else mixed += 1;
      points.push(`${ms} ms${r.killed ? "" : " (ended first)"} → ${where}`);
      const plan = await cli(["plan", "--detailed-exitcode", "-f", project.file]);
      if (plan.code !== 0) unclean += 1;
    }
    const live = await state();
    return [
      info("R8c", "project", `${project.names.length} actions; full apply ${fullMs} ms via ${via}`),
      exactly("R8c", "first apply exit code", first.code ?? -1, 0),
      // A delay near a whole run's length may come after a quicker run ended: most are killed.
      atLeast("R8c", "apply runs SIGKILLed before their end", killed, Math.ceil(size.r8cKills / 2)),
      info("R8c", "kill points (delay → state found)", points.join("; ")),
      exactly("R8c", "killed runs that left a mix of old and new", mixed, 0),
      info(
        "R8c",
        "runs (killed or ended first) that left the old state / the new one",
        `${atOld} / ${atNew}`,
      ),
      exactly("R8c", "resumed applies that failed", resumeFailures, 0),
      exactly("R8c", "plans with changes after a resumed apply", unclean, 0),
      exactly("R8c", "actions whose id changed (created more than once)", idChanges, 0),
      exactly("R8c", "actions in the tenant", live.ids.size, project.names.length + size.r8cKills),
    ];
  } finally {
    await reader.close();
    await emulator.close();
  }
}
