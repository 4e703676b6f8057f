/**
 * B2: wall time to apply 200 new actions — each with headers, 3 variables and overrides in 3
 * environments — to an emulator limited to 1 200 requests/min (default burst), against the floor
 * requests ÷ rate. Target ≤ 1.15 × floor, 0 failures, ≤ 2 % of requests answered 429.
 * - B2.1 the SDK client (8 actions in flight, pacing to RateLimit-*), 5 requests per action:
 *   POST action with headers, PUT variables, PUT overrides × 3 (versioned writes);
 * - baseline: a naive sequential client (raw undici) sending the same requests, waiting only after a 429;
 * - B2.2 the SDK workflows (createAction, registerVariables, applyOverrides × 3) as a user calls them;
 *   they re-read versions and environments, so they send more requests: one run (time budget).
 * - B2.3 `cxda apply`'s own code (applyPlan) of 1 000 new actions — headers, 3 variables (1 encrypted),
 *   overrides in 3 environments — at the default rate limit (600/min, burst 20) through one changeset:
 *   target ≤ 10 s and ≤ 30 requests; baseline the same plan on the request-per-resource path (applyPlan
 *   with via: "per-resource", ≥ 5 000 requests: ≥ 500 s; BENCH_B2_BASELINE_ACTIONS measures it on fewer
 *   actions and scales it, said in the figure).
 * A fresh emulator (child process) per run; 429s and request counts come from its request log.
 */
import { createClient } from "../dist/index.js";
import {
  actionPayload,
  call,
  DEMO_CLIENT,
  ENVIRONMENTS,
  getToken,
  inParallel,
  overridesPath,
  overridesPayload,
  requestsSince,
  variablesPath,
  variablesPayload,
} from "./lib/api.mjs";
import { applyProjectYaml } from "./lib/fixtures.mjs";
import { startEmulatorProcess } from "./lib/processes.mjs";
import { summarize } from "./lib/stats.mjs";

export const TITLE = "apply 200 actions at 1 200 req/min";
export const TARGET = "≤ 1.15 × floor, 0 failures, ≤ 2 % 429";
const ACTIONS = 200;
const PER_MINUTE = 1200;
const RATE_PER_S = PER_MINUTE / 60;
const IN_FLIGHT = 8;
const SDK_RUNS = Number(process.env.BENCH_B2_RUNS ?? 3);
const NAIVE_RUNS = Number(process.env.BENCH_B2_NAIVE_RUNS ?? 1);
const WORKFLOW_RUNS = Number(process.env.BENCH_B2_WORKFLOW_RUNS ?? 1);

const APPLY_ACTIONS = 1000;
const DEFAULT_PER_MINUTE = 600;
const BASELINE_ACTIONS = Number(process.env.BENCH_B2_BASELINE_ACTIONS ?? APPLY_ACTIONS);
const SECRET = "b2-encrypted-value-0123456789";

/** A project of `count` new actions as `cxda apply` reads it: headers, 3 variables (1 encrypted), overrides × 3. */
async function projectOf(count) {
  const { validateProject } = await import("../dist/project/validate-project.js");
  const result = validateProject(applyProjectYaml("b2apply", count, "B2_SECRET", ENVIRONMENTS), {
    readFile: () => "function main(context) {\n  return context.input;\n}\n",
    env: { B2_SECRET: SECRET },
  });
  if (!result.project) throw new Error(`the B2 project is invalid: ${JSON.stringify(result.problems[0])}`);
  return result.project;
}

/** B2.3: plan and apply `count` new actions with applyPlan on a fresh default-rate emulator. */
export async function applyProject(count, via) {
  const { applyPlan } = await import("../dist/project/apply.js");
  const { computePlan } = await import("../dist/project/plan.js");
  const { readLiveState } = await import("../dist/project/read-live-state.js");
  const desired = await projectOf(count);
  const emulator = await startEmulatorProcess({ rateLimit: { perMinute: DEFAULT_PER_MINUTE, burst: 20 } });
  const sdk = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret },
  });
  // The plain client the workflows take (the SDK object puts workflows over some resource methods).
  const client = sdk.context.client;
  try {
    const capabilities = await client.snapshot.capabilities();
    const start = process.hrtime.bigint();
    const plan = computePlan(desired, (await readLiveState(client)).live);
    const result = await applyPlan({ client }, desired, plan, { via });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const log = (await requestsSince(emulator.url, 0)).filter((r) => r.path.startsWith("/api/"));
    return {
      seconds,
      requests: log.length,
      limited: log.filter((r) => r.status === 429).length,
      ok: result.ok,
      via: result.via,
      batches: result.batches ?? null,
      capabilities,
    };
  } finally {
    await sdk.close();
    await emulator.close();
  }
}

export async function changesetFigure(log) {
  const probe = await applyProject(1, "auto");
  if (!probe.capabilities.includes("changesets")) {
    log("B2.3 pending: the emulator does not advertise changesets");
    return {
      id: "B2",
      key: "B2.3",
      figure: "apply 1 000 actions at 600 req/min: one changeset",
      status: "pending",
      note: "the emulator does not advertise changesets yet",
      measured: null,
      baseline: null,
      ratio: null,
      target: "≤ 10 s, ≤ 30 requests",
      met: null,
    };
  }
  const atomic = await applyProject(APPLY_ACTIONS, "auto");
  log(
    `changeset apply: ${atomic.seconds.toFixed(2)} s, ${atomic.requests} requests, ${atomic.batches} batch(es), ok ${atomic.ok}`,
  );
  const base = await applyProject(BASELINE_ACTIONS, "per-resource");
  const scale = APPLY_ACTIONS / BASELINE_ACTIONS;
  log(
    `per-resource apply of ${BASELINE_ACTIONS}: ${base.seconds.toFixed(1)} s, ${base.requests} requests, ${base.limited} × 429`,
  );
  const baseSeconds = base.seconds * scale;
  return {
    id: "B2",
    key: "B2.3",
    figure: "apply 1 000 actions at 600 req/min: one changeset",
    unit: "s",
    status: "ok",
    measured: summarize([atomic.seconds]),
    baseline: {
      label: `request per resource${scale === 1 ? "" : ` (${BASELINE_ACTIONS} actions × ${scale})`}`,
      unit: "s",
      ...summarize([baseSeconds]),
    },
    ratio: atomic.seconds / baseSeconds,
    target: "≤ 10 s, ≤ 30 requests",
    met: atomic.ok && atomic.via === "changeset" && atomic.seconds <= 10 && atomic.requests <= 30,
    note: `${atomic.requests} requests in ${atomic.batches} batch(es) via ${atomic.via}; per resource: ${Math.round(base.requests * scale)} requests, ${Math.round(base.limited * scale)} × 429`,
    details: { atomic, base },
  };
}

function sdkClient(baseUrl) {
  return createClient({
    baseUrl,
    auth: { type: "clientCredentials", clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret },
    maxConcurrency: IN_FLIGHT,
  });
}

const nameOf = (prefix, i) => `${prefix}_${String(i + 1).padStart(4, "0")}`;

/** B2.1: the SDK client's own requests, 5 per action, 8 actions in flight. */
async function applyWithClient(baseUrl) {
  const client = sdkClient(baseUrl);
  let failures = 0;
  try {
    await inParallel(ACTIONS, IN_FLIGHT, async (i) => {
      try {
        const created = await client.actions.create(actionPayload(nameOf("b2sdk", i)));
        const id = created.body.id;
        await client.request("PUT", `/dataactions/${id}/variables`, {
          body: { variables: variablesPayload(i), version: 1 },
        });
        for (const env of ENVIRONMENTS)
          await client.request("PUT", `/dataactions/${id}/environments/${env}/variables`, {
            body: { variables: overridesPayload(env, i), version: 1 },
          });
      } catch {
        failures += 1;
      }
    });
  } finally {
    await client.close();
  }
  return failures;
}

/** B2.2: the workflows a user would call, 8 actions in flight. */
async function applyWithWorkflows(baseUrl) {
  const { applyOverrides } = await import("../dist/workflows/overrides.js");
  const cxda = sdkClient(baseUrl);
  let failures = 0;
  try {
    await inParallel(ACTIONS, IN_FLIGHT, async (i) => {
      try {
        const { action } = await cxda.createAction(actionPayload(nameOf("b2wf", i)));
        await cxda.registerVariables(action.id, variablesPayload(i));
        for (const env of ENVIRONMENTS)
          await applyOverrides(cxda.context, action.id, env, overridesPayload(env, i));
      } catch (error) {
        if (failures === 0) console.error(`  B2 first workflow failure: ${error?.message ?? error}`);
        failures += 1;
      }
    });
  } finally {
    await cxda.close();
  }
  return failures;
}

/** The baseline: one request at a time; after a 429 it sleeps Retry-After and sends it again. */
async function applyNaively(baseUrl) {
  const token = await getToken(baseUrl);
  let failures = 0;
  const send = async (method, path, body) => {
    for (;;) {
      const res = await call(baseUrl, token, method, path, body);
      if (res.status !== 429) return res;
      await new Promise((r) => setTimeout(r, Number(res.headers["retry-after"] ?? 1) * 1000));
    }
  };
  for (let i = 0; i < ACTIONS; i += 1) {
    const created = await send("POST", "/api/v2/dataactions", actionPayload(nameOf("b2naive", i)));
    if (created.status !== 201) {
      failures += 1;
      continue;
    }
    const id = created.body.id;
    const results = [await send("PUT", variablesPath(id), { variables: variablesPayload(i), version: 1 })];
    for (const env of ENVIRONMENTS)
      results.push(
        await send("PUT", overridesPath(id, env), { variables: overridesPayload(env, i), version: 1 }),
      );
    if (results.some((r) => r.status !== 200)) failures += 1;
  }
  return failures;
}

/** One run on a fresh emulator: wall seconds, failures, requests, 429s and the floor. */
async function timedRun(apply) {
  const emulator = await startEmulatorProcess({ rateLimit: { perMinute: PER_MINUTE, burst: 20 } });
  try {
    const start = process.hrtime.bigint();
    const failures = await apply(emulator.url);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const log = (await requestsSince(emulator.url, 0)).filter((r) => r.path.startsWith("/api/"));
    const limited = log.filter((r) => r.status === 429).length;
    const useful = log.length - limited;
    const floor = useful / RATE_PER_S;
    const errors = log.filter((r) => r.status !== 429 && (r.status === null || r.status >= 400)).length;
    return { seconds, failures, requests: log.length, limited, floor, errors, ratio: seconds / floor };
  } finally {
    await emulator.close();
  }
}

function describe(r) {
  return `${r.seconds.toFixed(1)} s for ${r.requests} requests (floor ${r.floor.toFixed(1)} s, ${(r.seconds / r.floor).toFixed(3)}×), ${r.limited} × 429, ${r.failures} failed actions`;
}

function figureOf(key, name, runs, baseline, note) {
  const ratio = summarize(runs.map((r) => r.ratio)).median;
  const failures = runs.reduce((n, r) => n + r.failures + r.errors, 0);
  const limitedShare = Math.max(...runs.map((r) => r.limited / r.requests));
  return {
    id: "B2",
    key,
    figure: name,
    unit: "s",
    status: "ok",
    measured: summarize(runs.map((r) => r.seconds)),
    baseline,
    ratio,
    target: TARGET,
    met: ratio <= 1.15 && failures === 0 && limitedShare <= 0.02,
    note: `${note}; ratio = wall ÷ floor (requests not answered 429 ÷ ${RATE_PER_S}/s); worst 429 share ${(limitedShare * 100).toFixed(1)} %, failures ${failures}`,
    details: { runs },
  };
}

export async function run({ log }) {
  const naive = [];
  for (let i = 0; i < NAIVE_RUNS; i += 1) {
    naive.push(await timedRun(applyNaively));
    log(`naive run ${i + 1}: ${describe(naive[i])}`);
  }
  const baseline = {
    label: "naive sequential",
    unit: "s",
    ...summarize(naive.map((r) => r.seconds)),
    floorRatio: summarize(naive.map((r) => r.ratio)).median,
    limitedShare: Math.max(...naive.map((r) => r.limited / r.requests)),
  };
  const sdk = [];
  for (let i = 0; i < SDK_RUNS; i += 1) {
    sdk.push(await timedRun(applyWithClient));
    log(`SDK client run ${i + 1}: ${describe(sdk[i])}`);
  }
  const naiveNote = `naive: ${baseline.floorRatio.toFixed(3)}× floor, ${(baseline.limitedShare * 100).toFixed(1)} % 429`;
  const figures = [
    figureOf(
      "B2.1",
      "apply 200 actions: SDK client, 5 req/action",
      sdk,
      baseline,
      `${SDK_RUNS} runs; ${naiveNote}`,
    ),
  ];
  if (WORKFLOW_RUNS > 0) {
    const wf = [];
    for (let i = 0; i < WORKFLOW_RUNS; i += 1) {
      wf.push(await timedRun(applyWithWorkflows));
      log(`SDK workflows run ${i + 1}: ${describe(wf[i])}`);
    }
    const perAction = (summarize(wf.map((r) => r.requests)).median / ACTIONS).toFixed(1);
    figures.push(
      figureOf(
        "B2.2",
        "apply 200 actions: SDK workflows",
        wf,
        baseline,
        `${WORKFLOW_RUNS} run(s); ${perAction} requests per action (version and environment re-reads)`,
      ),
    );
  }
  if (process.env.BENCH_B2_CHANGESET !== "0") figures.push(await changesetFigure(log));
  return figures;
}
