/** Overrides, resolution and builds through the SDK facade against the in-process emulator (issue 7). */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CxdaClient } from "../../src/client/types.js";
import {
  type CxdaEvent,
  type CxdaSdk,
  createClient,
  NotFoundError,
  ValidationError,
} from "../../src/index.js";
import { applyOverrides } from "../../src/workflows/overrides.js";
import { api, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";

let emulator: Emulator;
let cxda: CxdaSdk;
let auditPath: string;
let events: CxdaEvent[];
const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;
const SECRET = "sk_live_0123456789abcdef";

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
});
afterAll(async () => {
  await cxda?.close();
  await emulator.close();
});
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
  await cxda?.close();
  auditPath = join(mkdtempSync(join(tmpdir(), "cxda-overrides-")), "audit.jsonl");
  events = [];
  cxda = createClient({
    baseUrl: emulator.url,
    auth,
    auditLog: auditPath,
    onEvent: (e) => void events.push(e),
  });
});

async function scriptAction(name: string) {
  return (
    await cxda.actions.create({
      name,
      type: "SCRIPT",
      script: { language: "JavaScript", content: "function main(context) { return context.variables; }" },
    })
  ).body;
}

function auditLines(): Record<string, unknown>[] {
  return readFileSync(auditPath, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("applyOverrides", () => {
  it("writes, reports drift against the baseline by fingerprint, follows the dev build, emits one event and one audit line", async () => {
    const action = await scriptAction("promote_me");
    await cxda.applyOverrides("promote_me", "staging", [
      { name: "API_KEY", value: SECRET, masked: true },
      { name: "REGION", value: "eu-west-1" },
    ]);
    events.length = 0;
    const result = await cxda.applyOverrides(
      "promote_me",
      "dev",
      [
        { name: "API_KEY", value: SECRET, masked: true },
        { name: "REGION", value: "us-east-1" },
        { name: "DEBUG", value: "true" },
      ],
      { baseline: "staging", wait: true },
    );
    expect(result.action).toEqual({ id: action.id, name: "promote_me" });
    expect(result.changed).toBe(true);
    expect(result.build?.status).toBe("SUCCEEDED");
    // The equal masked secret is not drift; the changed region and the new DEBUG are.
    expect(result.drift?.entries).toEqual([
      { name: "DEBUG", kind: "only_in_target", target: "true" },
      { name: "REGION", kind: "value_mismatch", baseline: "eu-west-1", target: "us-east-1" },
    ]);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.type).toBe("overrides.applied");
    expect(event.data).toMatchObject({
      actionId: action.id,
      environmentId: "dev",
      names: ["API_KEY", "REGION", "DEBUG"],
      count: 3,
      maskedCount: 1,
      driftCount: 2,
      buildId: result.build?.id,
    });
    expect(typeof event.data.latencyMs).toBe("number");
    const line = auditLines().at(-1)!;
    expect(line).toMatchObject({ operation: "overrides.apply", environment: "dev", outcome: "success" });
    expect(readFileSync(auditPath, "utf8")).not.toContain(SECRET);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it("starts no build for prod and reports a changed masked secret as masked_mismatch", async () => {
    await scriptAction("prod_action");
    await cxda.applyOverrides("prod_action", "staging", [
      { name: "TOKEN", value: "staging-secret-1", masked: true },
    ]);
    const result = await cxda.applyOverrides(
      "prod_action",
      "prod",
      [{ name: "TOKEN", value: "prod-secret-22", masked: true }],
      { baseline: "staging" },
    );
    expect(result.build).toBeUndefined();
    expect(result.drift?.entries).toEqual([
      { name: "TOKEN", kind: "masked_mismatch", baseline: "***", target: "***" },
    ]);
  });

  it("refuses bad input before sending anything, naming the rule", async () => {
    await scriptAction("bad_input");
    const before = (await api(emulator, "GET", "/_emulator/requests")).body.requests.length;
    const bad = [
      { name: "CMD", value: "rm -rf /;" },
      { name: "BIG", value: "y".repeat(8000) },
      { name: "lower", value: "x" },
      { name: "PIN", value: "1234", masked: true },
    ];
    const error = await cxda.applyOverrides("bad_input", "dev", bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const messages = (error as ValidationError).issues.map((i) => i.message).join("\n");
    expect(messages).toMatch(/';' at position 9/);
    expect(messages).toMatch(/8000 characters; the limit is 1024/);
    expect(messages).toMatch(/write 'LOWER'/);
    expect(messages).toMatch(/shorter than 8 characters/);
    const after = (await api(emulator, "GET", "/_emulator/requests")).body.requests.length;
    expect(after).toBe(before);
    await expect(cxda.applyOverrides("bad_input", "qa", [{ name: "A", value: "1" }])).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(auditLines().at(-1)).toMatchObject({ operation: "overrides.apply", outcome: "failure" });
  });

  it("re-reads and retries when a concurrent writer changes the set between its read and its write", async () => {
    const action = await scriptAction("contended");
    const token = await getToken(emulator);
    const path = `/api/v2/dataactions/${action.id}/environments/prod/variables`;
    let interleaved = 0;
    const client = cxda.context.client;
    const racing: CxdaClient = Object.create(client);
    racing.overrides = {
      ...client.overrides,
      patch: async (...args) => {
        if (interleaved < 2) {
          interleaved++;
          const other = await api(emulator, "PATCH", path, {
            token,
            body: { variables: [{ name: `OTHER_${interleaved}`, value: "x" }] },
          });
          expect(other.status).toBe(200);
        }
        return client.overrides.patch(...args);
      },
    };
    const result = await applyOverrides({ client: racing }, "contended", "prod", [
      { name: "MINE", value: "1" },
    ]);
    expect(result.attempts).toBe(3);
    expect(result.variables.map((v) => v.name)).toEqual(["MINE", "OTHER_1", "OTHER_2"]);
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as {
      method: string;
      status: number;
    }[];
    expect(log.filter((r) => r.method === "PATCH").map((r) => r.status)).toEqual([200, 412, 200, 412, 200]);
  });

  it("gives up after maxAttempts with the conflict error", async () => {
    const action = await scriptAction("always_contended");
    const token = await getToken(emulator);
    const path = `/api/v2/dataactions/${action.id}/environments/prod/variables`;
    const client = cxda.context.client;
    const racing: CxdaClient = Object.create(client);
    let n = 0;
    racing.overrides = {
      ...client.overrides,
      patch: async (...args) => {
        n++;
        await api(emulator, "PATCH", path, {
          token,
          body: { variables: [{ name: "RACE", value: String(n) }] },
        });
        return client.overrides.patch(...args);
      },
    };
    await expect(
      applyOverrides({ client: racing }, "always_contended", "prod", [{ name: "MINE", value: "1" }], {
        maxAttempts: 2,
      }),
    ).rejects.toMatchObject({ status: 412 });
    expect(n).toBe(2);
  });
});

describe("unsetOverrides, getOverrides, resolveVariables", () => {
  it("removes by name and resolves override ▸ action ▸ global with sources, secrets as ***", async () => {
    const action = await scriptAction("resolver");
    const token = await getToken(emulator);
    const g = await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: {
        variables: [
          { name: "REGION", type: "string", value: "global-region", encrypted: false, scope: "global" },
          { name: "ONLY_GLOBAL", type: "string", value: "g", encrypted: false, scope: "global" },
        ],
      },
    });
    expect(g.status).toBe(200);
    const a = await api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
      token,
      body: {
        variables: [
          { name: "REGION", type: "string", value: "action-region", encrypted: false, scope: "action" },
          { name: "DB_PASS", type: "string", value: "action-db-secret", encrypted: true, scope: "action" },
        ],
      },
    });
    expect(a.status).toBe(200);
    await cxda.applyOverrides("resolver", "prod", [
      { name: "REGION", value: "prod-region" },
      { name: "STALE", value: "old" },
    ]);
    const unset = await cxda.unsetOverrides("resolver", "prod", ["STALE", "NOT_THERE"]);
    expect(unset.removed).toEqual(["STALE"]);
    expect((await cxda.getOverrides("resolver", "prod")).variables.map((v) => v.name)).toEqual(["REGION"]);

    const resolved = await cxda.resolveVariables("resolver", "prod");
    expect(resolved.variables).toEqual([
      { name: "DB_PASS", value: "***", source: "action", secret: true, shadows: [] },
      { name: "ONLY_GLOBAL", value: "g", source: "global", secret: false, shadows: [] },
      {
        name: "REGION",
        value: "prod-region",
        source: "override",
        secret: false,
        shadows: ["global", "action"],
      },
    ]);
    const dev = await cxda.resolveVariables("resolver", "dev");
    expect(dev.variables.find((v) => v.name === "REGION")).toMatchObject({
      value: "action-region",
      source: "action",
    });
  });
});

describe("builds", () => {
  it("triggers and waits for a build, emitting build.triggered; getBuild reads it back", async () => {
    await scriptAction("buildable");
    events.length = 0;
    const build = await cxda.triggerBuild("buildable", "prod", { wait: true });
    expect(build.status).toBe("SUCCEEDED");
    expect(build.snapshot?.contentHash).toMatch(/^sha256:/);
    expect(events.map((e) => e.type)).toEqual(["build.triggered"]);
    expect(events[0]!.data).toMatchObject({ buildId: build.id, environmentId: "prod", status: "SUCCEEDED" });
    expect((await cxda.getBuild("buildable", build.id)).status).toBe("SUCCEEDED");
    expect(auditLines().at(-1)).toMatchObject({ operation: "builds.trigger", outcome: "success" });
  });
});
