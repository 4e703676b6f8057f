/**
 * R14: noisy neighbour in the sandbox (issue 15, docs/script-runtime.md). One tenant sends a flood of
 * concurrent test runs that each loop until the CPU deadline (250 ms); once the first of them is answered
 * (the rest are queued), a second tenant runs a trivial test again and again. Fairness is asserted by
 * order and count, never by time: every victim run succeeds, at most 2 flood runs finish while one victim
 * run is in flight (the flood tenant has 1 of the 2 workers), and flood runs sent before the victim's
 * first run are still unanswered when its last one is (the victim overtook the backlog; a FIFO queue
 * would answer them all first). The victim's p99 under the flood against its p99 alone is printed.
 */
import { request } from "undici";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { atLeast, type ChaosRun, exactly, type Figure, info } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

const DEADLINE_MS = 250;

async function token(emulator: RunningEmulator, id: string, secret: string): Promise<string> {
  const res = await request(`${emulator.url}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials",
  });
  const body = (await res.body.json()) as { access_token: string };
  if (res.statusCode !== 200) throw new Error(`token for ${id}: ${res.statusCode}`);
  return body.access_token;
}

async function post(
  emulator: RunningEmulator,
  bearer: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: { id?: string; status?: string } }> {
  const res = await request(`${emulator.url}/api/v2${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { id?: string; status?: string } };
}

async function createScript(emulator: RunningEmulator, bearer: string, name: string, content: string) {
  const res = await post(emulator, bearer, "/dataactions", {
    name,
    type: "SCRIPT",
    script: { language: "JavaScript", content },
  });
  if (res.status !== 201 || res.body.id === undefined) throw new Error(`create ${name}: ${res.status}`);
  return res.body.id;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

export async function runR14(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r14", { sandbox: { timeoutMs: DEADLINE_MS, memoryMb: 32 } });
  try {
    const flooder = await token(emulator, "chaos-raw", run.clientSecrets.raw);
    const victim = await token(emulator, "rival-ci", run.clientSecrets.rival);
    const floodId = await createScript(emulator, flooder, "r14_spin", "function main() { for (;;) {} }");
    const victimId = await createScript(emulator, victim, "r14_echo", "function main(c) { return c.input; }");
    const victimRun = async (i: number) => {
      const started = performance.now();
      const res = await post(emulator, victim, `/dataactions/${victimId}/test`, { input: { i } });
      return { ok: res.status === 200 && res.body.status === "SUCCESS", ms: performance.now() - started };
    };

    // The first run starts the sandbox's workers: not part of either phase.
    for (let i = 0; i < 3; i += 1) await victimRun(-1);
    const alone: number[] = [];
    let victimFailures = 0;
    for (let i = 0; i < size.r14VictimRuns; i += 1) {
      const r = await victimRun(i);
      alone.push(r.ms);
      if (!r.ok) victimFailures += 1;
    }

    // The flood: every run sent at once; the tenant's queue takes 64, the rest are refused with 503.
    let floodDone = 0;
    let floodRefused = 0;
    let floodOther = 0;
    let firstAnswered: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      firstAnswered = resolve;
    });
    const answeredAfterVictim: boolean[] = [];
    let victimFinished = false;
    const flood = Array.from({ length: size.r14Flood }, async (_, i) => {
      const res = await post(emulator, flooder, `/dataactions/${floodId}/test`, { input: null });
      if (res.status === 200) {
        floodDone += 1;
        answeredAfterVictim[i] = victimFinished;
        firstAnswered();
      } else if (res.status === 503) floodRefused += 1;
      else floodOther += 1;
    });
    await Promise.race([first, Promise.all(flood)]);
    const doneAtStart = floodDone;

    const flooded: number[] = [];
    let mostDuringOne = 0;
    let crowded = 0;
    for (let i = 0; i < size.r14VictimRuns; i += 1) {
      const before = floodDone;
      const r = await victimRun(i);
      flooded.push(r.ms);
      if (!r.ok) victimFailures += 1;
      mostDuringOne = Math.max(mostDuringOne, floodDone - before);
      if (floodDone - before > 2) crowded += 1;
    }
    victimFinished = true;
    await Promise.all(flood);
    const overtaken = answeredAfterVictim.filter((after) => after === true).length;
    const ratio = p99(flooded) / Math.max(p99(alone), 0.001);

    return [
      info("R14", "flood runs sent at once (one tenant, each to its 250 ms deadline)", size.r14Flood),
      info("R14", "flood runs refused 503 (the tenant's queue holds 64)", floodRefused),
      exactly("R14", "flood runs answered other than 200 or 503", floodOther, 0),
      info("R14", "victim runs, alone and under the flood", size.r14VictimRuns),
      exactly("R14", "victim runs not answered SUCCESS", victimFailures, 0),
      exactly("R14", "victim runs during which more than 2 flood runs finished", crowded, 0),
      info("R14", "flood runs finished during one victim run (max)", mostDuringOne),
      atLeast("R14", "flood runs queued before the victim and answered after its last run", overtaken, 1),
      info("R14", "flood runs answered before the victim started", doneAtStart),
      info("R14", "victim p99 alone (ms)", Number(p99(alone).toFixed(1))),
      info("R14", "victim p99 under the flood (ms)", Number(p99(flooded).toFixed(1))),
      info("R14", "victim p99 ratio, flood / alone (bench B8 target: ≤ 2)", Number(ratio.toFixed(2))),
    ];
  } finally {
    await emulator.close();
  }
}
