/**
 * R19: one of two replicas is SIGKILLed mid-burst of creates, changesets and header edits (then
 * started again). Every acknowledged write is present afterwards, nothing is duplicated, and no
 * changeset is half-applied.
 */
import type { Action } from "../../../src/client/types.js";
import { actionInput, type ChaosClient, chaosClient, exactly, type Figure, info, pool } from "../harness.js";
import type { ChaosSize } from "../sizes.js";
import { workflow } from "../workflows.js";
import type { ReplicaChaosRun } from "./replica-run.js";

const PER_CHANGESET = 3;

export async function runR19(run: ReplicaChaosRun, size: ChaosSize): Promise<Figure[]> {
  const { emulator, set } = await run.replicated();
  const clients: ChaosClient[] = [];
  try {
    const writers = size.r19Writers;
    for (let w = 0; w < writers; w++) clients.push(chaosClient(run, emulator, "sdk"));
    const plain = chaosClient(run, emulator, "raw");
    clients.push(plain);
    // Each writer owns one action whose header it edits, so its last acknowledged value must be the one kept.
    const owned: Action[] = [];
    for (let w = 0; w < writers; w++)
      owned.push((await plain.sdk.actions.create(actionInput(`r19_owned_${w}`))).body);

    const ackedCreates = new Set<string>();
    const ackedChangesets = new Set<string>();
    const attemptedChangesets = new Set<string>();
    const lastAcked = new Map<number, string>();
    const lastAttempted = new Map<number, string>();
    const failures: unknown[] = [];
    const total = writers * size.r19OpsPerWriter;
    let done = 0;
    let killedAt = -1;
    let restartedAt = -1;
    const kill = async () => {
      killedAt = done;
      await set.kill(1);
    };
    const restart = async () => {
      restartedAt = done;
      await set.restart(1);
    };
    let chaos: Promise<void> = Promise.resolve();

    await pool(total, writers, async (i) => {
      const w = i % writers;
      const j = Math.floor(i / writers);
      const client = clients[w]!;
      const kind = (w + j) % 3;
      try {
        if (kind === 0) {
          const name = `r19_c_${w}_${j}`;
          await client.sdk.actions.create(actionInput(name));
          ackedCreates.add(name);
        } else if (kind === 1) {
          const group = `r19_cs_${w}_${j}`;
          attemptedChangesets.add(group);
          await client.sdk.context.client.changesets.create({
            operations: Array.from({ length: PER_CHANGESET }, (_, k) => ({
              op: "createAction" as const,
              action: actionInput(`${group}_${k}`),
            })),
          });
          ackedChangesets.add(group);
        } else {
          const value = `${w}.${j}`;
          lastAttempted.set(w, value);
          await workflow(client, "setHeaders")!(owned[w]!.id, { "X-R19": value });
          lastAcked.set(w, value);
        }
      } catch (error) {
        failures.push(error);
      } finally {
        done += 1;
        if (done === Math.floor(total / 3)) chaos = kill();
        if (done === Math.floor((2 * total) / 3)) chaos = chaos.then(restart);
      }
    });
    await chaos;

    const listed = await plain.sdk.actions.listAll({ nameContains: "r19_", pageSize: 100 });
    const names = listed.map((a) => a.name);
    const present = new Set(names);
    const missingCreates = [...ackedCreates].filter((n) => !present.has(n)).length;
    let halfApplied = 0;
    let missingChangesets = 0;
    for (const group of attemptedChangesets) {
      const count = Array.from({ length: PER_CHANGESET }, (_, k) => `${group}_${k}`).filter((n) =>
        present.has(n),
      ).length;
      if (count !== 0 && count !== PER_CHANGESET) halfApplied += 1;
      if (ackedChangesets.has(group) && count !== PER_CHANGESET) missingChangesets += 1;
    }
    let lostEdits = 0;
    for (let w = 0; w < writers; w++) {
      const acked = lastAcked.get(w);
      if (acked === undefined) continue;
      const current = listed.find((a) => a.id === owned[w]!.id)?.config?.headers?.["X-R19"];
      // A last edit that failed for the client may still have been applied; it is the only other value allowed.
      if (current !== acked && current !== lastAttempted.get(w)) lostEdits += 1;
    }
    const statuses = clients.flatMap((c) => c.trace.answered.map((a) => a.status));
    const figures: Figure[] = [
      exactly("R19", "acknowledged creates missing", missingCreates, 0),
      exactly("R19", "acknowledged changesets not fully applied", missingChangesets, 0),
      exactly("R19", "changesets half-applied", halfApplied, 0),
      exactly("R19", "duplicate actions", names.length - present.size, 0),
      exactly("R19", "acknowledged header edits lost", lostEdits, 0),
      exactly("R19", "operations failed after the SDK's retries", failures.length, 0),
      exactly("R19", "500 answers", statuses.filter((s) => s === 500).length, 0),
      info("R19", "operations (creates, changesets, header edits)", total),
      info("R19", "killed after / restarted after (operations done)", `${killedAt} / ${restartedAt}`),
      info("R19", "502/503 answers retried", statuses.filter((s) => s === 502 || s === 503).length),
      info("R19", "replicas live at the end", set.live().length),
    ];
    const first = failures[0];
    if (first !== undefined) figures.push(info("R19", "first failure", String(first)));
    return figures;
  } finally {
    for (const c of clients) await c.close();
    await emulator.close();
  }
}
