/**
 * R18: rolling a deployment back while editors change other actions. A changeset (the deployment)
 * edits a few target actions; E editors then patch their own other actions in a loop while the
 * deployment is rolled back. Afterwards the targets are exactly as before the deployment and every
 * other action holds its editor's last write (the rollback touched only the deployment's resources).
 * Then a second deployment, an edit to one of its targets, and its rollback: 409 `rollback-conflict`
 * naming that action; with force the rollback wins and restores it.
 */
import type { Action } from "../../src/domain/action-schema.js";
import { CxdaError } from "../../src/errors.js";
import { actionInput, type ChaosRun, chaosClient, exactly, type Figure, info, pending } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

const TARGETS = 3;
const EDITS = 6;

/** What a rollback restores of an action, as compared here (not its version). */
const content = (a: Action) =>
  JSON.stringify([a.description, a.script?.content ?? null, a.config?.headers ?? {}]);

export async function runR18(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r18");
  const admin = chaosClient(run, emulator, "sdk", { auditLog: run.auditPath("r18") });
  const editors = Array.from({ length: size.r18Editors }, () => chaosClient(run, emulator, "sdk"));
  try {
    const caps = await admin.sdk.context.client.snapshot.capabilities();
    if (!caps.includes("changesets") || !caps.includes("deployments"))
      return [pending("R18", "the emulator does not advertise changesets and deployments yet")];
    const client = admin.sdk.context.client;
    const targets: Action[] = [];
    for (let i = 0; i < TARGETS; i++)
      targets.push((await client.actions.create(actionInput(`r18_target_${i}`))).body);
    const others: Action[] = [];
    for (let e = 0; e < editors.length; e++)
      others.push((await client.actions.create(actionInput(`r18_other_${e}`))).body);
    const before = new Map(targets.map((t) => [t.id, content(t)]));

    const deploy = async (label: string) =>
      (
        await client.changesets.create({
          description: `R18 ${label}`,
          operations: targets.map((t) => ({
            op: "updateAction" as const,
            ref: t.id,
            patch: { description: `changed by ${label}`, config: { headers: { "X-Deployed": label } } },
          })),
        })
      ).body;
    const first = await deploy("deployment 1");

    // Editors write their own action while the rollback runs.
    const last = new Map<string, string>();
    const editFailures: unknown[] = [];
    const editing = editors.map(async (c, e) => {
      const id = others[e]!.id;
      for (let k = 0; k < EDITS; k++) {
        const description = `editor ${e} edit ${k}`;
        try {
          const current = (await c.sdk.context.client.actions.get(id)).body;
          await c.sdk.context.client.actions.patch(id, { description }, { version: current.version });
          last.set(id, description);
        } catch (error) {
          editFailures.push(error);
        }
      }
    });
    let rollbackError: unknown;
    const rolling = client.deployments.rollback(first.deploymentId).catch((error: unknown) => {
      rollbackError = error;
    });
    await Promise.all([...editing, rolling]);
    const restored = await Promise.all(targets.map(async (t) => (await client.actions.get(t.id)).body));
    const targetsRestored = restored.filter((a) => content(a) === before.get(a.id)).length;
    const othersNow = await Promise.all(others.map(async (o) => (await client.actions.get(o.id)).body));
    const othersKept = othersNow.filter((a) => a.description === last.get(a.id)).length;

    // A conflicting edit: 409 naming it, then force wins.
    const second = await deploy("deployment 2");
    const edited = targets[1]!;
    const current = (await client.actions.get(edited.id)).body;
    await client.actions.patch(
      edited.id,
      { description: "edited after deployment 2" },
      { version: current.version },
    );
    let conflictStatus = 0;
    let conflictNamesIt = false;
    try {
      await client.deployments.rollback(second.deploymentId);
    } catch (error) {
      if (error instanceof CxdaError) {
        conflictStatus = error.status ?? 0;
        const text = `${error.message} ${JSON.stringify(error.issues)}`;
        conflictNamesIt = text.includes(edited.name) || text.includes(edited.id);
      }
    }
    const unchangedByRefusal =
      (await client.actions.get(edited.id)).body.description === "edited after deployment 2";
    let forced = false;
    try {
      await client.deployments.rollback(second.deploymentId, { force: true });
      forced = true;
    } catch {
      forced = false;
    }
    const afterForce = await Promise.all(targets.map(async (t) => (await client.actions.get(t.id)).body));
    // Before deployment 2 the targets were as before deployment 1 (it was rolled back).
    const forcedRestored = afterForce.filter((a) => content(a) === before.get(a.id)).length;

    return [
      exactly("R18", "rollback under concurrent edits failed", rollbackError === undefined ? 0 : 1, 0),
      exactly("R18", "deployment targets restored", targetsRestored, TARGETS),
      exactly("R18", "other actions holding their editor's last write", othersKept, editors.length),
      info("R18", "editor writes that failed (retried by nobody)", editFailures.length),
      exactly("R18", "rollback with a conflicting edit: HTTP status", conflictStatus, 409),
      exactly("R18", "the 409 names the edited action", conflictNamesIt ? 1 : 0, 1),
      exactly("R18", "the refused rollback changed nothing", unchangedByRefusal ? 1 : 0, 1),
      exactly("R18", "forced rollback succeeded", forced ? 1 : 0, 1),
      exactly("R18", "targets restored by the forced rollback", forcedRestored, TARGETS),
    ];
  } finally {
    await admin.close();
    for (const c of editors) await c.close();
    await emulator.close();
  }
}
