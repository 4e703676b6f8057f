/** applyDateProcessing against the in-process emulator: lookup over every page, the write, the audit line. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CxdaClient } from "../../src/client/types.js";
import {
  BugError,
  ConflictError,
  type CxdaEvent,
  type CxdaSdk,
  createClient,
  NotFoundError,
  PreconditionError,
  ValidationError,
} from "../../src/index.js";
import { applyDateProcessing } from "../../src/workflows/datetime.js";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  startTestEmulator,
} from "../emulator/helpers.js";

let emulator: Emulator;
let token: string;
let cxda: CxdaSdk;
let auditPath: string;
let events: CxdaEvent[];

// Strictly increasing, so actions list in creation order (the emulator sorts by created_ts, then id).
let last = 0;
const clock = () => {
  last = Math.max(Date.now(), last + 1);
  return last;
};

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 100_000 }, clock });
  token = await getToken(emulator);
});
afterAll(async () => {
  await cxda?.close();
  await emulator.close();
});
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
  await cxda?.close();
  auditPath = join(mkdtempSync(join(tmpdir(), "cxda-datetime-")), "audit.jsonl");
  events = [];
  cxda = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
    auditLog: auditPath,
    onEvent: (e) => {
      events.push(e);
    },
  });
});

const SEED = {
  sourceTimestamp: "2024-02-29T15:30:00.000Z",
  timezone: "America/New_York",
  operation: "ADD_OFFSET",
  offsetMinutes: 120,
  precision: 3,
} as const;

function auditLines(): Body[] {
  return readFileSync(auditPath, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function requestsSince(seq: number): Promise<{ seq: number; method: string; path: string }[]> {
  const res = await api(emulator, "GET", "/_emulator/requests");
  return (res.body.requests as { seq: number; method: string; path: string }[]).filter((r) => r.seq > seq);
}

async function lastSeq(): Promise<number> {
  const res = await api(emulator, "GET", "/_emulator/requests");
  const all = res.body.requests as { seq: number }[];
  return all.length === 0 ? 0 : all[all.length - 1]!.seq;
}

describe("applyDateProcessing", () => {
  it("writes config.dateProcessing with the version read, emits datetime.applied and audits input, output, latency, accuracy", async () => {
    const created = await createAction(emulator, token, scriptAction("dt_seed004"));
    const result = await cxda.applyDateProcessing("dt_seed004", SEED, {
      sourceField: "callback_at",
      targetField: "callback_local",
    });
    expect(result.dateProcessing).toEqual({
      sourceField: "callback_at",
      targetField: "callback_local",
      ...SEED,
      computedValue: "2024-02-29T12:30:00.000-05:00",
      computedUtc: "2024-02-29T17:30:00.000Z",
    });
    expect(result.action).toMatchObject({ id: created.id, version: 2 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);

    const stored = await api(emulator, "GET", `/api/v2/dataactions/${created.id}`, { token });
    expect(stored.body.config.dateProcessing).toEqual(result.dateProcessing);

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "datetime.applied",
      data: {
        actionId: created.id,
        actionName: "dt_seed004",
        version: 2,
        timezone: "America/New_York",
        computedValue: "2024-02-29T12:30:00.000-05:00",
        computedUtc: "2024-02-29T17:30:00.000Z",
      },
    });

    const lines = auditLines();
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line).toMatchObject({
      operation: "datetime.apply",
      outcome: "success",
      status: 200,
      target: { id: created.id, name: "dt_seed004" },
    });
    expect(typeof line.latencyMs).toBe("number");
    expect(line.details.input).toEqual({
      sourceField: "callback_at",
      targetField: "callback_local",
      ...SEED,
    });
    expect(line.details.output).toMatchObject({
      computedValue: "2024-02-29T12:30:00.000-05:00",
      computedUtc: "2024-02-29T17:30:00.000Z",
      offsetBefore: "-05:00",
      offsetAfter: "-05:00",
    });
    expect(line.details.accuracy).toEqual({ ok: true, expectedDeltaMs: 7_200_000, actualDeltaMs: 7_200_000 });

    // The write carried the version it read (If-Match "1").
    const patch = (await requestsSince(0)).find((r) => r.method === "PATCH") as Body;
    expect(patch.ifMatch).toBe('"1"');
  });

  it("records the accuracy of a truncated, subtracted offset across a DST change", async () => {
    await createAction(emulator, token, scriptAction("dt_dst"));
    const input = {
      sourceTimestamp: "2024-03-10T07:30:00.123456Z",
      timezone: "America/New_York",
      operation: "SUBTRACT_OFFSET",
      offsetMinutes: 60,
      precision: 1,
    } as const;
    const result = await cxda.applyDateProcessing("dt_dst", input);
    expect(result.dateProcessing).toMatchObject({
      sourceField: "input_datetime",
      targetField: "processed_datetime",
      computedValue: "2024-03-10T01:30:00.1-05:00",
      computedUtc: "2024-03-10T06:30:00.1Z",
    });
    const [line] = auditLines();
    expect(line.details.output).toMatchObject({ offsetBefore: "-04:00", offsetAfter: "-05:00" });
    expect(line.details.accuracy).toEqual({
      ok: true,
      expectedDeltaMs: -3_600_000,
      actualDeltaMs: -3_600_000,
    });
  });

  it("finds the action on the last of 3 pages of 250 (complete pagination), reading each page once", async () => {
    for (let start = 0; start < 249; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, 249 - start) }, (_, i) =>
          createAction(emulator, token, scriptAction(`a_dt_target_${String(start + i).padStart(3, "0")}`)),
        ),
      );
    }
    const target = await createAction(emulator, token, scriptAction("dt_target"));
    // Precondition: the target really is the 250th of the listing.
    const page3 = await api(
      emulator,
      "GET",
      "/api/v2/dataactions?nameContains=dt_target&pageSize=100&page=3",
      {
        token,
      },
    );
    expect(page3.body.total).toBe(250);
    expect(page3.body.entities.at(-1).name).toBe("dt_target");

    const before = await lastSeq();
    const result = await cxda.applyDateProcessing("dt_target", SEED);
    expect(result.action.id).toBe(target.id);
    const requests = await requestsSince(before);
    const lists = requests.filter((r) => r.method === "GET" && r.path === "/api/v2/dataactions");
    expect(lists).toHaveLength(3);
    expect(requests.filter((r) => r.method === "PATCH").map((r) => r.path)).toEqual([
      `/api/v2/dataactions/${target.id}`,
    ]);
  });

  it("reads every page and no page past the end before reporting a name that does not exist", async () => {
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => createAction(emulator, token, scriptAction(`dt_ghost_${i}`))),
    );
    const before = await lastSeq();
    await expect(cxda.applyDateProcessing("dt_ghost", SEED)).rejects.toBeInstanceOf(NotFoundError);
    const lists = (await requestsSince(before)).filter(
      (r) => r.method === "GET" && r.path === "/api/v2/dataactions",
    );
    expect(lists).toHaveLength(2);
    expect(auditLines()[0]).toMatchObject({
      operation: "datetime.apply",
      outcome: "failure",
      problem: "not-found",
    });
    expect(events).toHaveLength(0);
  });

  it("accepts an id as the reference", async () => {
    const created = await createAction(emulator, token, scriptAction("dt_by_id"));
    const result = await cxda.applyDateProcessing(created.id, SEED);
    expect(result.action.name).toBe("dt_by_id");
    expect(result.action.config.dateProcessing).toMatchObject({ computedUtc: "2024-02-29T17:30:00.000Z" });
  });

  it("re-reads and writes again when another editor changed the action in between (412), keeping their change", async () => {
    const created = await createAction(emulator, token, scriptAction("dt_race"));
    const client = cxda.context.client;
    let raced = false;
    const racing: CxdaClient = Object.create(client);
    Object.defineProperty(racing, "actions", {
      value: {
        ...client.actions,
        patch: async (id: string, body: Record<string, unknown>, options: { version: number }) => {
          if (!raced) {
            raced = true;
            const other = await api(emulator, "PATCH", `/api/v2/dataactions/${id}`, {
              token,
              body: { description: "edited meanwhile", version: options.version },
            });
            expect(other.status).toBe(200);
          }
          return client.actions.patch(id, body, options);
        },
      },
    });
    const result = await applyDateProcessing({ ...cxda.context, client: racing }, "dt_race", SEED);
    expect(result.action.version).toBe(3);
    expect(result.action.description).toBe("edited meanwhile");
    expect(result.action.config.dateProcessing).toMatchObject({
      computedValue: "2024-02-29T12:30:00.000-05:00",
    });
    const [line] = auditLines();
    expect(line).toMatchObject({ outcome: "success", counts: { conflictRetries: 1 } });
    const patches = (await requestsSince(0)).filter(
      (r) => r.method === "PATCH" && r.path.endsWith(created.id),
    );
    expect(patches.map((r) => (r as Body).status)).toEqual([200, 412, 200]);
  });

  it("gives up after a bounded number of conflicting writes and audits the failure", async () => {
    await createAction(emulator, token, scriptAction("dt_busy"));
    await api(emulator, "PUT", "/_emulator/faults", {
      body: { rules: [{ method: "PATCH", path: "/api/v2/dataactions/*", status: 412 }] },
    });
    try {
      const error = await cxda
        .applyDateProcessing("dt_busy", SEED, {}, { maxAttempts: 5, sleep: async () => {} })
        .catch((e: unknown) => e);
      // writeWithVersion's give-up: a ConflictError carrying the last refusal's status and slug.
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ status: 412, slug: "precondition-failed" });
      expect((error as Error).cause).toBeInstanceOf(PreconditionError);
      expect((error as Error).message).toMatch(/dt_busy kept changing .* after 5 read-apply-write attempts/);
    } finally {
      await api(emulator, "PUT", "/_emulator/faults", { body: { rules: [] } });
    }
    const patches = (await requestsSince(0)).filter((r) => r.method === "PATCH");
    expect(patches).toHaveLength(5);
    expect(auditLines()[0]).toMatchObject({ outcome: "failure", status: 412 });
  });

  it("refuses bad input with every problem at once and sends no request", async () => {
    await createAction(emulator, token, scriptAction("dt_bad"));
    const before = await lastSeq();
    const error = await cxda
      .applyDateProcessing(
        "dt_bad",
        {
          sourceTimestamp: "2024-13-01T00:00:00Z",
          timezone: "Mars/Olympus",
          operation: "MULTIPLY" as "ADD_OFFSET",
          offsetMinutes: 1e12,
          precision: 7,
        },
        { sourceField: "has space" },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(["sourceTimestamp", "timezone", "operation", "offsetMinutes", "precision"]);
    expect(await requestsSince(before)).toEqual([]);
    expect(auditLines()[0]).toMatchObject({ outcome: "failure", problem: "validation-failed" });
  });

  it("refuses a bad field name before sending, naming the config path", async () => {
    const error = await cxda
      .applyDateProcessing("dt_any", SEED, { targetField: "" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      "config.dateProcessing.targetField",
    ]);
    expect(error).not.toBeInstanceOf(BugError);
  });
});
