/** Promotion through the SDK (`cxda.overrides.planPromotion / applyPromotion / promote`) against the emulator. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CxdaEvent } from "../../src/audit/events.js";
import { ConflictError, type CxdaSdk, createClient, ValidationError } from "../../src/index.js";
import { api, type Emulator, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";

let emulator: Emulator;
let cxda: CxdaSdk;
const events: CxdaEvent[] = [];
const auditLog = join(mkdtempSync(join(tmpdir(), "cxda-promote-")), "audit.jsonl");
const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;
const SECRET = "promote-secret-value-42";

beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  cxda = createClient({ baseUrl: emulator.url, auth, auditLog, onEvent: (e) => void events.push(e) });
});
afterAll(async () => {
  await cxda.close();
  await emulator.close();
});

let counter = 0;
async function seeded(): Promise<string> {
  counter++;
  const name = `promo_sdk_${counter}`;
  await cxda.actions.create({
    name,
    type: "SCRIPT",
    script: { language: "JavaScript", content: "function main(c) { return 1; }" },
  });
  await cxda.overrides.apply(name, "staging", [
    { name: "REGION", value: "eu-west-1" },
    { name: "API_KEY", value: SECRET, masked: true },
    { name: "TIMEOUT_MS", value: "2000" },
  ]);
  await cxda.overrides.apply(name, "prod", [
    { name: "REGION", value: "us-east-1" },
    { name: "PROD_ONLY", value: "stay" },
  ]);
  return name;
}

describe("planPromotion", () => {
  it("plans from the drift: adds, updates, keeps what only the target has, masked shown as ***", async () => {
    const name = await seeded();
    const plan = await cxda.overrides.planPromotion({ from: "staging", to: "prod", refs: [name] });
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]!.entries).toEqual([
      { name: "API_KEY", step: "add", masked: true, from: "***" },
      { name: "PROD_ONLY", step: "keep", masked: false, to: "stay" },
      { name: "REGION", step: "update", masked: false, from: "eu-west-1", to: "us-east-1" },
      { name: "TIMEOUT_MS", step: "add", masked: false, from: "2000" },
    ]);
    expect(plan.actions[0]!.copy).toEqual(["API_KEY", "REGION", "TIMEOUT_MS"]);
    expect(plan.actions[0]!.remove).toEqual([]);
    expect(plan.summary).toMatchObject({ actions: 1, changing: 1, add: 2, update: 1, keep: 1, remove: 0 });
    expect(JSON.stringify(plan)).not.toContain(SECRET);
  });

  it("narrows with only, removes with prune, never touches protected names", async () => {
    const name = await seeded();
    const plan = await cxda.overrides.planPromotion({
      from: "staging",
      to: "prod",
      refs: [name],
      only: ["REGION", "API_KEY"],
      protectedNames: { [name]: ["REGION"] },
    });
    expect(plan.actions[0]!.copy).toEqual(["API_KEY"]);
    expect(plan.actions[0]!.entries.find((e) => e.name === "REGION")!.step).toBe("protected");
    const pruned = await cxda.overrides.planPromotion({
      from: "staging",
      to: "prod",
      refs: [name],
      prune: true,
    });
    expect(pruned.actions[0]!.remove).toEqual(["PROD_ONLY"]);
  });

  it("refuses an --only name the source lacks, a downward promotion without allowDownward, and from = to", async () => {
    const name = await seeded();
    await expect(
      cxda.overrides.planPromotion({ from: "staging", to: "prod", refs: [name], only: ["NOPE"] }),
    ).rejects.toThrow(/NOPE \(in --only\) is not an override of promo_sdk_\d+ in staging/);
    const down = cxda.overrides.planPromotion({ from: "prod", to: "dev", refs: [name] });
    await expect(down).rejects.toBeInstanceOf(ValidationError);
    await expect(down).rejects.toThrow(/--allow-downward/);
    await expect(
      cxda.overrides.planPromotion({ from: "prod", to: "dev", refs: [name], allowDownward: true }),
    ).resolves.toMatchObject({ from: "prod", to: "dev" });
    await expect(cxda.overrides.planPromotion({ from: "prod", to: "prod" })).rejects.toThrow(/both prod/);
  });
  it("plans the whole tenant from one snapshot request when the server advertises it", async () => {
    const name = await seeded();
    const logStart = ((await api(emulator, "GET", "/_emulator/requests")).body.requests as unknown[]).length;
    const plan = await cxda.overrides.planPromotion({ from: "staging", to: "prod" });
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as {
      method: string;
      path: string;
    }[];
    const sent = log
      .slice(logStart)
      .filter((r) => r.path.startsWith("/api/v2/"))
      .map((r) => `${r.method} ${r.path}`);
    expect(sent).toEqual(["GET /api/v2/snapshot"]);
    expect(plan.actions.find((a) => a.action.name === name)!.copy).toEqual([
      "API_KEY",
      "REGION",
      "TIMEOUT_MS",
    ]);
  });
});

describe("applyPromotion", () => {
  it("leaves no drift for what was promoted, masked included, and records names and counts only", async () => {
    const name = await seeded();
    events.length = 0;
    const result = await cxda.overrides.promote({ from: "staging", to: "prod", refs: [name], prune: true });
    expect(result.actions).toEqual([
      {
        action: { id: expect.any(String), name },
        promoted: ["API_KEY", "REGION", "TIMEOUT_MS"],
        removed: ["PROD_ONLY"],
        version: expect.any(Number),
      },
    ]);
    const drift = await cxda.overrides.diff("staging", "prod", name);
    expect(drift.summary.count).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["overrides.promoted"]);
    expect(events[0]!.data).toMatchObject({
      actionName: name,
      names: ["API_KEY", "REGION", "TIMEOUT_MS"],
      count: 3,
      maskedCount: 1,
    });
    const audit = readFileSync(auditLog, "utf8");
    expect(audit).toContain('"operation":"overrides.promote"');
    expect(audit + JSON.stringify(events)).not.toContain(SECRET);
    expect(audit).not.toContain("eu-west-1");
  });

  it("refuses a plan whose target changed since (409), and a new plan goes through", async () => {
    const name = await seeded();
    const plan = await cxda.overrides.planPromotion({ from: "staging", to: "prod", refs: [name] });
    await cxda.overrides.apply(name, "prod", [{ name: "LATE_EDIT", value: "x" }]);
    await expect(cxda.overrides.applyPromotion(plan)).rejects.toBeInstanceOf(ConflictError);
    const again = await cxda.overrides.planPromotion({ from: "staging", to: "prod", refs: [name] });
    await cxda.overrides.applyPromotion(again);
    const prod = await cxda.overrides.get(name, "prod");
    expect(prod.variables.map((v) => v.name)).toEqual([
      "API_KEY",
      "LATE_EDIT",
      "PROD_ONLY",
      "REGION",
      "TIMEOUT_MS",
    ]);
  });

  it("survives a dropped response: the retry replays the promotion (same Idempotency-Key), applied once", async () => {
    const name = await seeded();
    const before = (await cxda.overrides.get(name, "prod")).version;
    const rules = [
      {
        method: "POST",
        path: "/api/v2/dataactions/*/environments/prod/variables/promote",
        drop: true,
        count: 1,
      },
    ];
    expect((await api(emulator, "PUT", "/_emulator/faults", { body: { rules } })).status).toBe(200);
    const logStart = ((await api(emulator, "GET", "/_emulator/requests")).body.requests as unknown[]).length;
    try {
      const result = await cxda.overrides.promote({ from: "staging", to: "prod", refs: [name] });
      expect(result.actions[0]!.version).toBe(before + 1);
    } finally {
      await api(emulator, "PUT", "/_emulator/faults", { body: { rules: [] } });
    }
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as {
      method: string;
      path: string;
      fault?: string;
      replayed?: boolean;
    }[];
    const promotes = log.slice(logStart).filter((e) => e.method === "POST" && e.path.endsWith("/promote"));
    expect(promotes.map((e) => [e.fault ?? null, e.replayed === true])).toEqual([
      ["drop", false],
      [null, true],
    ]);
    expect((await cxda.overrides.get(name, "prod")).version).toBe(before + 1);
  });

  it("no masked value appears in any response body or log of the emulator during promotion", async () => {
    const name = await seeded();
    const logStart = ((await api(emulator, "GET", "/_emulator/requests")).body.requests as unknown[]).length;
    const bodies: string[] = [];
    const plan = await cxda.overrides.planPromotion({ from: "staging", to: "prod", refs: [name] });
    bodies.push(JSON.stringify(plan), JSON.stringify(await cxda.overrides.applyPromotion(plan)));
    const staging = await cxda.overrides.get(name, "staging");
    const prod = await cxda.overrides.get(name, "prod");
    bodies.push(JSON.stringify(staging), JSON.stringify(prod));
    const log = await api(emulator, "GET", "/_emulator/requests");
    bodies.push(JSON.stringify((log.body.requests as unknown[]).slice(logStart)));
    for (const text of bodies) expect(text).not.toContain(SECRET);
    const fingerprint = (set: typeof prod) => set.variables.find((v) => v.name === "API_KEY")!.fingerprint;
    expect(fingerprint(prod)).toBe(fingerprint(staging));
  });
});
