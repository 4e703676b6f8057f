/** applyPlan against the in-process emulator: convergence, updates, prune, failures, saved plans. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import pc from "picocolors";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { confirmApply } from "../../src/cli/ui/confirm.js";
import { createProgress } from "../../src/cli/ui/progress.js";
import { createClient } from "../../src/client/client.js";
import type { CxdaClient } from "../../src/client/types.js";
import { PlanDriftError } from "../../src/errors.js";
import { createClient as createSdk } from "../../src/index.js";
import {
  type ApplyStepResult,
  applyPlan,
  checkSavedPlan,
  createIdempotencyKey,
  createSpecOf,
  stepsOf,
} from "../../src/project/apply.js";
import type { DesiredState } from "../../src/project/desired-state.js";
import { computePlan, planHasChanges } from "../../src/project/plan.js";
import { readLiveState } from "../../src/project/read-live-state.js";
import { validateProject } from "../../src/project/validate-project.js";
import { api, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const EXAMPLE_ENV = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};
const SCRIPT = "function main(context) {\n  return context.input;\n}\n";

let emulator: Emulator;
let client: CxdaClient;

beforeAll(async () => {
  // The request-per-resource path; the changeset path is test/project/apply-changeset*.test.ts.
  emulator = await startTestEmulator({
    rateLimit: { perMinute: 1_000_000, burst: 100_000 },
    disableCapabilities: ["changesets"],
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
  client = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
  });
});
afterEach(async () => {
  await client.close();
});

function example(edit: (text: string) => string = (t) => t): DesiredState {
  const text = edit(readFileSync(resolve(EXAMPLE_DIR, "cxda.yaml"), "utf8"));
  const result = validateProject(text, { baseDir: EXAMPLE_DIR, env: EXAMPLE_ENV });
  if (!result.project) throw new Error(JSON.stringify(result.problems));
  return result.project;
}

function inline(yaml: string): DesiredState {
  const result = validateProject(yaml, {
    readFile: () => SCRIPT,
    env: { ALPHA_KEY: "alpha-key-0123456789" },
  });
  if (!result.project) throw new Error(JSON.stringify(result.problems));
  return result.project;
}

async function planFor(desired: DesiredState, prune = false) {
  const { live } = await readLiveState(client);
  return computePlan(desired, live, { prune });
}

async function applyAndReplan(desired: DesiredState, prune = false) {
  const plan = await planFor(desired, prune);
  const result = await applyPlan({ client }, desired, plan);
  return { plan, result, after: await planFor(desired, prune) };
}

async function writes(): Promise<string[]> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  return (log.body.requests as { method: string; path: string }[])
    .filter((r) => r.method !== "GET" && r.path.startsWith("/api/"))
    .map((r) => `${r.method} ${r.path}`);
}

describe("applyPlan", () => {
  it("applies the example to an empty tenant, and a new plan then has no changes", async () => {
    const desired = example();
    const { plan, result, after } = await applyAndReplan(desired);
    expect(plan.summary.create).toBe(15);
    expect(result.ok).toBe(true);
    expect(result.applied).toEqual({ created: 15, updated: 0, deleted: 0 });
    expect(result.failures).toEqual([]);
    expect(planHasChanges(after)).toBe(false);
    // One POST per action: the headers and the date processing rode on the create.
    const posts = (await writes()).filter((w) => w === "POST /api/v2/dataactions");
    expect(posts).toHaveLength(6);
    const { live } = await readLiveState(client);
    const scheduler = live.actions.find((a) => a.name === "callback_scheduler")!;
    expect(scheduler.dateProcessing).toMatchObject({ timezone: "America/New_York", offsetMinutes: 120 });
    const token = await getToken(emulator);
    const stored = await api(emulator, "GET", "/api/v2/dataactions?name=callback_scheduler", { token });
    // computed at apply: 01:30 EST + 120 min crosses the DST change → 04:30 EDT
    expect(stored.body.entities[0].config.dateProcessing.computedValue).toBe("2024-03-10T04:30:00-04:00");
  });

  it("replays creates when a run is repeated with the plan made before the first run (no duplicates)", async () => {
    const desired = example();
    const stale = await planFor(desired);
    const first = await applyPlan({ client }, desired, stale);
    expect(first.ok).toBe(true);
    // A second process that planned before the first one wrote: same keys, so the server replays.
    const second = await applyPlan({ client }, desired, stale);
    const creates = second.steps.filter((s) => s.kind === "create" && s.resource === "action");
    expect(creates).toHaveLength(6);
    expect(creates.map((s) => [s.action, s.outcome, s.replayed])).toEqual(
      creates.map((s) => [s.action, "applied", true]),
    );
    const { live } = await readLiveState(client);
    expect(live.actions.map((a) => a.name)).toEqual([...new Set(live.actions.map((a) => a.name))]);
    expect(live.actions).toHaveLength(6);
  });

  it("is bound on the SDK: one audit line per write, no secret in the audit log", async () => {
    const auditLog = join(mkdtempSync(join(tmpdir(), "cxda-apply-")), "audit.jsonl");
    const events: string[] = [];
    const cxda = createSdk({
      baseUrl: emulator.url,
      auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
      auditLog,
      onEvent: (e) => {
        events.push(e.type);
      },
    });
    try {
      const desired = example();
      const result = await cxda.applyPlan(desired, await planFor(desired));
      expect(result.ok).toBe(true);
      const text = readFileSync(auditLog, "utf8");
      const lines = text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { operation: string; outcome: string });
      expect(lines).toHaveLength(15);
      expect(lines.filter((l) => l.operation === "actions.create")).toHaveLength(6);
      expect(lines.every((l) => l.outcome === "success")).toBe(true);
      expect(events.filter((t) => t === "action.created")).toHaveLength(6);
      for (const secret of Object.values(EXAMPLE_ENV)) expect(text).not.toContain(secret);
    } finally {
      await cxda.close();
    }
  });

  it("creates dependencies before their dependents", async () => {
    const order: string[] = [];
    const desired = example();
    await applyPlan({ client }, desired, await planFor(desired), {
      concurrency: 8,
      onDone: (r) => {
        if (r.resource === "action") order.push(r.action);
      },
    });
    for (const action of desired.actions)
      for (const dep of action.dependencies)
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(action.name));
  });

  it("converges after changes made through the API and in the file", async () => {
    await applyAndReplan(example());
    const token = await getToken(emulator);
    const { live } = await readLiveState(client);
    const id = (name: string) => live.actions.find((a) => a.name === name)!.id;
    const version = (name: string) => live.actions.find((a) => a.name === name)!.version;
    await api(emulator, "PATCH", `/api/v2/dataactions/${id("crm_lookup")}`, {
      token,
      headers: { "if-match": `"${version("crm_lookup")}"` },
      body: { config: { headers: { "X-Source": "someone-else" } }, description: "changed by hand" },
    });
    await api(emulator, "PUT", `/api/v2/dataactions/${id("crm_lookup")}/environments/dev/variables`, {
      token,
      body: { variables: [{ name: "CRM_BASE_URL", value: "https://elsewhere.example.com" }] },
    });
    // The file drops the date processing and changes a variable.
    const desired = example((t) =>
      t
        .replace(/ {4}dateProcessing:\n(?: {6}.*\n)+/, "")
        .replace(
          "{ name: threshold, type: integer, value: 60 }",
          "{ name: threshold, type: integer, value: 75 }",
        ),
    );
    const { plan, result, after } = await applyAndReplan(desired);
    expect(plan.summary.update).toBe(5);
    expect(result.ok).toBe(true);
    expect(result.applied).toEqual({ created: 0, updated: 5, deleted: 0 });
    expect(after.changes.filter((c) => c.kind !== "no-op")).toEqual([]);
  });

  it("re-reads and writes again when another writer changes an action between read and write", async () => {
    await applyAndReplan(example());
    const token = await getToken(emulator);
    // String.replace changes the first description only: normalize_phone's.
    const desired = example((t) => t.replace("description: ", "description: Updated. "));
    const plan = await planFor(desired);
    const updates = plan.changes.filter((c) => c.kind === "update" && c.resource === "action");
    expect(updates.map((c) => c.action)).toEqual(["normalize_phone"]);
    const target = updates[0]!.action;
    let raced = 0;
    const racing: CxdaClient = {
      ...client,
      actions: {
        ...client.actions,
        patch: async (id, body, options) => {
          const current = (await client.actions.get(id)).body;
          if (current.name === target && raced === 0) {
            raced++;
            const other = await api(emulator, "PATCH", `/api/v2/dataactions/${id}`, {
              token,
              headers: { "if-match": `"${current.version}"` },
              body: { enabled: false },
            });
            expect(other.status).toBe(200);
          }
          return client.actions.patch(id, body, options);
        },
      },
    };
    const result = await applyPlan({ client: racing }, desired, plan);
    expect(raced).toBe(1);
    expect(result.ok).toBe(true);
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as {
      method: string;
      path: string;
      status: number;
    }[];
    // The stale write was refused (412), re-read and written on the new version; the other change stays.
    expect(log.filter((r) => r.method === "PATCH" && r.status === 412)).toHaveLength(1);
    const stored = (await client.actions.findByName(target))!;
    expect(stored.description.startsWith("Updated. ")).toBe(true);
    expect(stored.enabled).toBe(false);
  });

  it("deletes live actions missing from the file only with prune, dependents first", async () => {
    const yaml = (extra: string) =>
      `apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    script: {file: a.js}\n${extra}`;
    const both = inline(
      yaml(
        "  legacy_base:\n    type: SCRIPT\n    script: {file: a.js}\n  legacy_top:\n    type: SCRIPT\n    script: {file: a.js}\n    dependencies: [legacy_base]\n",
      ),
    );
    await applyAndReplan(both);
    const only = inline(yaml(""));
    const kept = await applyAndReplan(only, false);
    expect(kept.plan.summary.delete).toBe(0);
    expect(kept.result.applied.deleted).toBe(0);
    expect((await readLiveState(client)).live.actions.map((a) => a.name)).toEqual([
      "alpha_one",
      "legacy_base",
      "legacy_top",
    ]);
    const pruned = await applyAndReplan(only, true);
    expect(pruned.result.steps.map((s) => `${s.kind} ${s.action}`)).toEqual([
      "delete legacy_top",
      "delete legacy_base",
    ]);
    expect(pruned.result.applied.deleted).toBe(2);
    expect((await readLiveState(client)).live.actions.map((a) => a.name)).toEqual(["alpha_one"]);
    expect(planHasChanges(pruned.after)).toBe(false);
  });

  it("reports a refused write with its reason and old state, and applies the rest", async () => {
    const token = await getToken(emulator);
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: {
        name: "alpha_one",
        type: "SCRIPT",
        script: { language: "JavaScript", content: SCRIPT },
        locked: true,
      },
    });
    const desired = inline(
      "apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    description: now described\n    script: {file: a.js}\n  delta_four:\n    type: SCRIPT\n    script: {file: a.js}\n",
    );
    const result = await applyPlan({ client }, desired, await planFor(desired));
    expect(result.ok).toBe(false);
    expect(result.applied).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({
      kind: "update",
      action: "alpha_one",
      outcome: "failed",
      state: "old",
    });
    expect(result.failures[0]!.reason).toMatch(/locked/i);
    const { live } = await readLiveState(client);
    expect(live.actions.find((a) => a.name === "alpha_one")!.description).toBe("");
  });

  it("skips the dependents of a create that failed, and says why", async () => {
    const desired = inline(
      "apiVersion: cxda/v1\nactions:\n  base_one:\n    type: SCRIPT\n    script: {file: a.js}\n  top_two:\n    type: SCRIPT\n    script: {file: a.js}\n    dependencies: [base_one]\n    variables:\n      - {name: limit, type: integer, value: 5}\n",
    );
    const plan = await planFor(desired);
    // The tenant gets a locked base_one between plan and apply: its create is refused (name taken).
    const token = await getToken(emulator);
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: { name: "base_one", type: "SCRIPT", script: { language: "JavaScript", content: SCRIPT } },
    });
    const result = await applyPlan({ client }, desired, plan);
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => [stepName(f), f.outcome])).toEqual([
      ["create base_one action", "failed"],
      ["create top_two action", "skipped"],
      ["create top_two variables", "skipped"],
    ]);
    expect(result.failures[1]!.reason).toBe("not attempted: its dependency base_one could not be created");
    expect(result.failures[2]!.reason).toBe("not attempted: the action top_two could not be created");
  });
});

function stepName(r: ApplyStepResult): string {
  return `${r.kind} ${r.action} ${r.resource}`;
}

describe("createIdempotencyKey", () => {
  const spec = createSpecOf(example().actions.find((a) => a.name === "crm_lookup")!);
  it("is the same for the same tenant and content, and differs otherwise", () => {
    const key = createIdempotencyKey("http://a tenant", spec);
    expect(key).toMatch(/^cxda-apply-[0-9a-f]{48}$/);
    expect(createIdempotencyKey("http://a tenant", structuredClone(spec))).toBe(key);
    expect(createIdempotencyKey("http://b tenant", spec)).not.toBe(key);
    expect(createIdempotencyKey("http://a tenant", { ...spec, description: "other" })).not.toBe(key);
  });
  it("leaves secret header values out of the hash", () => {
    const other = structuredClone(spec);
    (other.config!.headers as Record<string, string>).Authorization = "Bearer another-token";
    expect(createIdempotencyKey("t", other)).toBe(createIdempotencyKey("t", spec));
  });
});

describe("checkSavedPlan", () => {
  it("accepts the same plan, refuses a changed tenant or file with PlanDriftError", async () => {
    const desired = example();
    const plan = await planFor(desired);
    const saved = JSON.parse(JSON.stringify({ ...plan, file: "cxda.yaml" }));
    expect(() => checkSavedPlan(saved, plan)).not.toThrow();
    expect(plan.baseRevision).toEqual(expect.any(Number));
    expect(plan.liveDigest).toBeUndefined();
    expect(() => checkSavedPlan({ ...saved, baseRevision: plan.baseRevision! - 1 }, plan)).toThrow(
      /the tenant changed since this plan was made; run cxda plan again/,
    );
    expect(() => checkSavedPlan({ ...saved, changes: saved.changes.slice(1) }, plan)).toThrow(PlanDriftError);
    expect(() => checkSavedPlan([], plan)).toThrow(PlanDriftError);
  });

  it("falls back to the live digest when the server has no snapshot (so no revision)", () => {
    const desired = example();
    const live = { actions: [], read: { variables: true, overrides: true } };
    const plan = computePlan(desired, live);
    expect(plan.baseRevision).toBeUndefined();
    expect(plan.liveDigest).toMatch(/^sha256:/);
    const saved = JSON.parse(JSON.stringify(plan));
    expect(() => checkSavedPlan(saved, plan)).not.toThrow();
    expect(() => checkSavedPlan({ ...saved, liveDigest: "sha256:0" }, plan)).toThrow(
      /the tenant changed since this plan was made; run cxda plan again/,
    );
    // A plan saved against a revision cannot be checked against a read without one: refused.
    const { liveDigest: _, ...withRevision } = saved;
    expect(() => checkSavedPlan({ ...withRevision, baseRevision: 3 }, plan)).toThrow(PlanDriftError);
  });
});

describe("progress", () => {
  const colors = pc.createColors(false);
  const results: ApplyStepResult[] = [
    { kind: "create", action: "alpha_one", resource: "action", outcome: "applied" },
    {
      kind: "update",
      action: "alpha_one",
      resource: "overrides",
      env: "prod",
      outcome: "failed",
      reason: "refused",
    },
  ];
  it("prints one plain line per operation without a TTY", () => {
    const lines: string[] = [];
    const p = createProgress({ total: 2, colors, line: (t) => lines.push(t) });
    results.forEach((r, i) => {
      p.start(r);
      p.done(r, { done: i + 1, total: 2 });
    });
    p.finish();
    expect(lines).toEqual([
      "[1/2] ✔ created alpha_one",
      "[2/2] ✘ failed update alpha_one overrides in prod: refused",
    ]);
  });
  it("redraws one bar in place on a TTY, failures printed above it", () => {
    let text = "";
    const p = createProgress({ total: 2, colors, tty: { write: (t) => (text += t), columns: 80 } });
    p.start(results[0]!);
    p.done(results[0]!, { done: 1, total: 2 });
    p.done(results[1]!, { done: 2, total: 2 });
    p.finish();
    expect(text).toContain("\r\x1b[2K");
    expect(text).toContain("1/2");
    expect(text).toContain("2/2 1 failed");
    expect(text).toContain("✘ failed update alpha_one overrides in prod: refused\n");
    expect(text).not.toContain("\n1/2");
  });
});

describe("confirmApply", () => {
  it.each([
    ["yes\n", true],
    ["YES\n", true],
    ["y\n", false],
    ["no\n", false],
    ["", false],
  ])("answer %j → %s", async (answer, expected) => {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = "";
    output.on("data", (d: Buffer) => {
      asked += d.toString();
    });
    input.end(answer);
    expect(await confirmApply(input, output)).toBe(expected);
    expect(asked).toContain("Apply these changes? (yes/no)");
  });
});

describe("stepsOf", () => {
  it("keeps every change but the no-ops, in plan order", async () => {
    const plan = await planFor(example());
    expect(stepsOf(plan)).toHaveLength(15);
    expect(stepsOf(plan)[0]).toEqual({ kind: "create", action: "normalize_phone", resource: "action" });
  });
});
