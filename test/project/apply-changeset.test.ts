/**
 * `cxda apply` as one changeset: the operations built from a plan (pure), the batches of a staged one,
 * the way back from `operations[i]` to the file, and applyPlan over a scripted server (request log).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { CxdaEvent } from "../../src/audit/events.js";
import { OperationRecorder } from "../../src/audit/recorder.js";
import { Redactor } from "../../src/audit/redactor.js";
import type { ChangesetOperation } from "../../src/client/resources/changesets.js";
import { applyPlan } from "../../src/project/apply.js";
import { changesetOperations, locateOperationError, splitBatches } from "../../src/project/changeset-plan.js";
import type { DesiredState } from "../../src/project/desired-state.js";
import type { LiveState } from "../../src/project/live-state.js";
import { computePlan } from "../../src/project/plan.js";
import { validateProject } from "../../src/project/validate-project.js";
import { type FakeReply, fakeApi, fakeTime, makeClient, problem } from "../client/fake-api.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const EXAMPLE_ENV = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};
const EMPTY: LiveState = { actions: [], read: { variables: true, overrides: true }, revision: 7 };

function example(): DesiredState {
  const text = readFileSync(resolve(EXAMPLE_DIR, "cxda.yaml"), "utf8");
  const result = validateProject(text, { baseDir: EXAMPLE_DIR, env: EXAMPLE_ENV });
  if (!result.project) throw new Error(JSON.stringify(result.problems));
  return result.project;
}

describe("changesetOperations", () => {
  it("creates every action of the example before its dependents, then its variables and overrides", () => {
    const desired = example();
    const plan = computePlan(desired, EMPTY);
    const { operations, origins } = changesetOperations(desired, plan);
    expect(operations).toHaveLength(plan.summary.create);
    expect(origins).toHaveLength(operations.length);
    const created = operations
      .filter((o) => o.op === "createAction")
      .map((o) => (o.action as { name: string }).name);
    for (const a of desired.actions)
      for (const dep of a.dependencies) expect(created.indexOf(dep)).toBeLessThan(created.indexOf(a.name));
    // Every sub-resource op names an action created earlier in the same changeset.
    operations.forEach((op, i) => {
      if (op.op === "putVariables" || op.op === "putOverrides")
        expect(created.slice(0, i).includes(op.ref) || created.includes(op.ref)).toBe(true);
      if (op.op === "putVariables") {
        const firstCreate = operations.findIndex(
          (o) => o.op === "createAction" && (o.action as { name: string }).name === op.ref,
        );
        expect(firstCreate).toBeLessThan(i);
      }
    });
    const crm = operations.find(
      (o) => o.op === "createAction" && (o.action as { name: string }).name === "crm_lookup",
    );
    expect(
      (crm as { action: { config: { headers: Record<string, string> } } }).action.config.headers
        .Authorization,
    ).toBe(`Bearer ${EXAMPLE_ENV.CRM_API_TOKEN}`);
  });

  it("updates with one merge patch per action (a dropped header is null) and deletes last", () => {
    const desired = example();
    const live: LiveState = {
      ...EMPTY,
      actions: [
        {
          id: "id-1",
          version: 3,
          locked: false,
          name: "route_to_queue",
          type: "SCRIPT",
          description: "old",
          script: { language: "JavaScript", content: "x" },
          request: null,
          dependencies: ["lead_score"],
          headers: { "X-Source": "cxda", "X-Old": "gone" },
          dateProcessing: null,
          variables: [],
          overrides: {},
        },
        {
          id: "id-2",
          version: 1,
          locked: false,
          name: "stale_action",
          type: "SCRIPT",
          description: "",
          script: { language: "JavaScript", content: "x" },
          request: null,
          dependencies: [],
          headers: {},
          dateProcessing: null,
        },
      ],
    };
    const plan = computePlan(desired, live, { prune: true });
    const { operations } = changesetOperations(desired, plan);
    const update = operations.filter((o) => o.op === "updateAction");
    expect(update).toHaveLength(1);
    const patch = (
      update[0] as unknown as {
        patch: { description: string; config: { headers: Record<string, string | null> } };
      }
    ).patch;
    expect(patch.description).not.toBe("old");
    expect(patch.config.headers["X-Old"]).toBeNull();
    expect(patch.config.headers["X-Source"]).toBe("cxda");
    expect(operations.at(-1)).toEqual({ op: "deleteAction", ref: "stale_action" });
  });
});

describe("splitBatches", () => {
  const op = (i: number): ChangesetOperation => ({ op: "deleteAction", ref: `action_${i}` });
  it("keeps every batch within the operation and byte limits, in order, losing nothing", () => {
    const ops = Array.from({ length: 2_501 }, (_, i) => op(i));
    const batches = splitBatches(ops, { maxOperations: 1_000, maxBytes: 8 * 1024 * 1024 });
    expect(batches.map((b) => b.length)).toEqual([1_000, 1_000, 501]);
    const small = splitBatches(ops.slice(0, 10), { maxOperations: 1_000, maxBytes: 200 });
    for (const b of small)
      expect(Buffer.byteLength(JSON.stringify({ sequence: 1, operations: b }))).toBeLessThanOrEqual(200);
    expect(small.flat()).toEqual(ops.slice(0, 10));
  });
});

describe("locateOperationError", () => {
  it("maps operations[i] paths to the action and the place in the project file", () => {
    const desired = example();
    const { operations, origins } = changesetOperations(desired, computePlan(desired, EMPTY));
    const crm = operations.findIndex(
      (o) => o.op === "createAction" && (o.action as { name: string }).name === "crm_lookup",
    );
    expect(locateOperationError(`operations[${crm}].action.config.headers.X-Source`, origins)).toMatchObject({
      index: crm,
      origin: { action: "crm_lookup" },
      filePath: ["actions", "crm_lookup", "headers", "X-Source"],
    });
    const vars = operations.findIndex((o) => o.op === "putVariables" && o.ref === "crm_lookup");
    expect(locateOperationError(`operations[${vars - 2}].variables[1].value`, origins, 2)?.filePath).toEqual([
      "actions",
      "crm_lookup",
      "variables",
      1,
    ]);
    expect(locateOperationError("operations[9999]", origins)).toBeUndefined();
    expect(locateOperationError("name", origins)).toBeUndefined();
  });
});

describe("applyPlan over a server with changesets", () => {
  const INDEX: FakeReply = {
    status: 200,
    body: { apiVersion: "v2", capabilities: ["snapshot", "changesets"] },
  };

  it("writes the whole plan in one request with the plan's baseRevision, and records one deployment", async () => {
    const bodies: { baseRevision?: number; operations: unknown[] }[] = [];
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2") return INDEX;
        if (req.path === "/api/v2/changesets") {
          bodies.push(req.json as (typeof bodies)[number]);
          return { status: 201, body: { id: "cs-1", revision: 8, deploymentId: "dep-1", results: [] } };
        }
        return problem(404, "not-found", req.path);
      },
    });
    const client = makeClient(api, fakeTime());
    const events: CxdaEvent[] = [];
    const recorder = new OperationRecorder({
      onEvent: (e) => void events.push(e),
      actor: "t",
      redactor: new Redactor(),
    });
    const desired = example();
    const plan = computePlan(desired, EMPTY);
    const result = await applyPlan({ client, recorder }, desired, plan);
    expect(result).toMatchObject({
      ok: true,
      via: "changeset",
      deploymentId: "dep-1",
      revision: 8,
      batches: 1,
    });
    expect(result.applied.created).toBe(plan.summary.create);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.baseRevision).toBe(7);
    expect(events.map((e) => e.type)).toEqual(["deployment.applied"]);
    const text = JSON.stringify(events);
    for (const secret of Object.values(EXAMPLE_ENV)) expect(text).not.toContain(secret);
  });

  it("stages a plan above the limit: open, batches in order, commit; progress per batch", async () => {
    const log: string[] = [];
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2") return INDEX;
        log.push(
          `${req.method} ${req.path} ${JSON.stringify((req.json as { sequence?: number })?.sequence ?? "")}`,
        );
        if (req.path === "/api/v2/changesets")
          return {
            status: 201,
            body: { id: "cs-2", status: "OPEN", expiresTimestamp: "2030-01-01T00:00:00Z" },
          };
        if (req.path === "/api/v2/changesets/cs-2/batches") return { status: 201, body: {} };
        if (req.path === "/api/v2/changesets/cs-2/commit")
          return { status: 201, body: { id: "cs-2", revision: 9, deploymentId: "dep-2", results: [] } };
        return problem(404, "not-found", req.path);
      },
    });
    const client = makeClient(api, fakeTime());
    const desired = example();
    const plan = computePlan(desired, EMPTY);
    const batches: string[] = [];
    const result = await applyPlan({ client }, desired, plan, {
      batchLimits: { maxOperations: 6, maxBytes: 8 * 1024 * 1024 },
      onBatch: (b) => batches.push(`${b.stage} ${b.sequence}/${b.total}`),
    });
    expect(result).toMatchObject({ ok: true, deploymentId: "dep-2", batches: 3 });
    expect(log).toEqual([
      'POST /api/v2/changesets ""',
      "POST /api/v2/changesets/cs-2/batches 1",
      "POST /api/v2/changesets/cs-2/batches 2",
      "POST /api/v2/changesets/cs-2/batches 3",
      'POST /api/v2/changesets/cs-2/commit ""',
    ]);
    expect(batches).toEqual(["sent 1/3", "sent 2/3", "sent 3/3", "committed 3/3"]);
  });

  it("a refused changeset applies nothing and names the operation, its action and its place in the file", async () => {
    const desired = example();
    const plan = computePlan(desired, EMPTY);
    const { operations } = changesetOperations(desired, plan);
    const bad = operations.findIndex((o) => o.op === "putVariables" && o.ref === "lead_score");
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2") return INDEX;
        return problem(422, "validation-failed", "1 operation is invalid; nothing was applied", {
          errors: [
            { path: `operations[${bad}].variables[0].value`, code: "invalid-value", message: "not JSON" },
          ],
        });
      },
    });
    const client = makeClient(api, fakeTime());
    const result = await applyPlan({ client }, desired, plan);
    expect(result.ok).toBe(false);
    expect(result.applied).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(result.errors).toEqual([
      {
        path: `operations[${bad}].variables[0].value`,
        index: bad,
        action: "lead_score",
        operation: "create lead_score variables",
        filePath: ["actions", "lead_score", "variables", 0],
        code: "invalid-value",
        message: "not JSON",
      },
    ]);
    expect(
      result.failures.filter((f) => f.outcome === "failed").map((f) => `${f.action} ${f.resource}`),
    ).toEqual(["lead_score variables"]);
    expect(result.failures.every((f) => f.state === "old")).toBe(true);
  });

  it("falls back to a request per resource when the server does not advertise changesets", async () => {
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2") return { status: 200, body: { apiVersion: "v2", capabilities: [] } };
        return problem(503, "unavailable", "down");
      },
    });
    const client = makeClient(api, fakeTime(), { retry: { maxAttempts: 1 } });
    const desired = example();
    const result = await applyPlan({ client }, desired, computePlan(desired, EMPTY));
    expect(result.via).toBe("per-resource");
    expect(api.requests.some((r) => r.path === "/api/v2/changesets")).toBe(false);
  });
});
