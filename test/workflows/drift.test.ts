/** Cross-environment drift through the SDK against the in-process emulator (issue 7). */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CxdaSdk, createClient } from "../../src/index.js";
import { api, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";

let emulator: Emulator;
let cxda: CxdaSdk;
const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  cxda = createClient({ baseUrl: emulator.url, auth });
});
afterAll(async () => {
  await cxda.close();
  await emulator.close();
});

const SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ ".split("");
const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/);
const value = fc.array(fc.constantFrom(...SAFE), { minLength: 8, maxLength: 40 }).map((c) => c.join(""));
const variables = fc.uniqueArray(fc.record({ name, value, masked: fc.boolean() }), {
  selector: (v) => v.name,
  minLength: 1,
  maxLength: 8,
});

let runs = 0;

describe("diffTenant (property)", () => {
  it("finds no drift between identical sets, and equal masked values never drift; a changed masked value does", async () => {
    await fc.assert(
      fc.asyncProperty(variables, fc.nat(), async (vars, pick) => {
        runs++;
        const actionName = `drift_prop_${runs}`;
        await cxda.actions.create({
          name: actionName,
          type: "SCRIPT",
          script: { language: "JavaScript", content: "function main(c) { return 1; }" },
        });
        await cxda.applyOverrides(actionName, "staging", vars);
        await cxda.applyOverrides(actionName, "prod", vars);
        const same = await cxda.diffTenant("staging", "prod", actionName);
        expect(same.actions).toHaveLength(1);
        expect(same.actions[0]!.entries).toEqual([]);

        // Change one masked value (if any): exactly that name drifts, as masked_mismatch, shown as ***.
        const masked = vars.filter((v) => v.masked);
        if (masked.length === 0) return;
        const changed = masked[pick % masked.length]!;
        await cxda.applyOverrides(actionName, "prod", [{ ...changed, value: `${changed.value}X` }]);
        const drift = await cxda.diffTenant("staging", "prod", actionName);
        expect(drift.actions[0]!.entries).toEqual([
          { name: changed.name, kind: "masked_mismatch", baseline: "***", target: "***" },
        ]);
      }),
      { numRuns: 15 },
    );
  });

  it("reports only_in_baseline and only_in_target (a variable missing on one side is drift)", async () => {
    await cxda.actions.create({
      name: "drift_missing",
      type: "SCRIPT",
      script: { language: "JavaScript", content: "function main(c) { return 1; }" },
    });
    await cxda.applyOverrides("drift_missing", "staging", [{ name: "ONLY_STAGING", value: "s" }]);
    await cxda.applyOverrides("drift_missing", "prod", [
      { name: "ONLY_PROD", value: "p-secret-value", masked: true },
    ]);
    const drift = await cxda.diffTenant("staging", "prod", "drift_missing");
    expect(drift.actions[0]!.entries).toEqual([
      { name: "ONLY_PROD", kind: "only_in_target", target: "***" },
      { name: "ONLY_STAGING", kind: "only_in_baseline", baseline: "s" },
    ]);
  });
});

describe("diffTenant (whole tenant)", () => {
  const n = 230;

  /** Seeds n actions (every 50th drifting) and diffs the tenant; returns the report and the /api/v2/ requests. */
  async function seedAndDiff(target: Emulator, sdk: CxdaSdk) {
    await api(target, "POST", "/_emulator/reset");
    const token = await getToken(target);
    for (let i = 0; i < n; i++) {
      const res = await api(target, "POST", "/api/v2/dataactions", {
        token,
        body: {
          name: `tenant_${String(i).padStart(3, "0")}`,
          type: "SCRIPT",
          script: { language: "JavaScript", content: "function main(c) { return 1; }" },
        },
      });
      if (i % 50 === 0)
        await api(target, "PUT", `/api/v2/dataactions/${res.body.id}/environments/prod/variables`, {
          token,
          body: { variables: [{ name: "DRIFTS", value: "yes" }] },
        });
    }
    const seqBefore = (await api(target, "GET", "/_emulator/requests")).body.requests.length;
    const report = await sdk.diffTenant("staging", "prod");
    const requests = (await api(target, "GET", "/_emulator/requests")).body.requests.slice(seqBefore) as {
      method: string;
      path: string;
    }[];
    return { report, api2: requests.filter((r) => r.path.startsWith("/api/v2/")) };
  }

  it("reads the whole tenant in one snapshot request when the server advertises it", async () => {
    const { report, api2 } = await seedAndDiff(emulator, cxda);
    expect(api2.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v2/snapshot"]);
    expect(report.summary).toMatchObject({ actionCount: n, driftingCount: 5, only_in_target: 5, count: 5 });
  });

  it("without the snapshot capability, reads N actions in ⌈N/100⌉ list requests plus a constant", async () => {
    const plain = await startTestEmulator({
      rateLimit: { perMinute: 1_000_000, burst: 100_000 },
      disableCapabilities: ["snapshot"],
    });
    const sdk = createClient({ baseUrl: plain.url, auth });
    try {
      const { report, api2 } = await seedAndDiff(plain, sdk);
      const lists = api2.filter((r) => r.method === "GET" && r.path === "/api/v2/dataactions");
      expect(lists).toHaveLength(Math.ceil(n / 100));
      expect(api2.length).toBeLessThanOrEqual(Math.ceil(n / 100) + 1);
      expect(api2.some((r) => r.path === "/api/v2/snapshot")).toBe(false);
      expect(report.summary).toMatchObject({ actionCount: n, driftingCount: 5, only_in_target: 5, count: 5 });
    } finally {
      await sdk.close();
      await plain.close();
    }
  });
});
