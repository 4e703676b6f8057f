/** `cxda apply` through one changeset: the built CLI, and applyPlan staged in batches, against the emulator. */
import { cpSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { applyPlan } from "../../src/project/apply.js";
import { computePlan, planHasChanges } from "../../src/project/plan.js";
import { readLiveState } from "../../src/project/read-live-state.js";
import { loadProject } from "../../src/project/validate-project.js";
import { api, type Emulator, getToken, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const SECRETS = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};
const SCRIPT = "function main(context) {\n  return context.input;\n}\n";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
});

const env = () => ({
  CXDA_BASE_URL: emulator.url,
  CXDA_CLIENT_ID: "cxda-demo",
  CXDA_CLIENT_SECRET: "cxda-demo-secret",
  ...SECRETS,
});

function exampleCopy(): string {
  const cwd = scratchDir();
  cpSync(EXAMPLE_DIR, cwd, { recursive: true });
  return cwd;
}

async function writes(): Promise<string[]> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  return (log.body.requests as { method: string; path: string; status: number }[])
    .filter((r) => r.method !== "GET" && r.path.startsWith("/api/"))
    .map((r) => `${r.method} ${r.path} → ${r.status}`);
}

describe("cxda apply through one changeset", () => {
  it("writes the example in one request, prints the deployment, and a re-plan is clean", async () => {
    const cwd = exampleCopy();
    const result = await runCxda(["apply", "--auto-approve", "--json"], { cwd, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const body = json(result);
    expect(body).toMatchObject({ ok: true, via: "changeset", batches: 1, applied: { created: 15 } });
    expect(body.deploymentId).toEqual(expect.any(String));
    expect(body.revision).toEqual(expect.any(Number));
    expect(await writes()).toEqual(["POST /api/v2/changesets → 201"]);
    for (const secret of Object.values(SECRETS)) expect(result.stdout + result.stderr).not.toContain(secret);

    const human = await runCxda(["apply", "--auto-approve"], { cwd, env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("No changes. Nothing to apply.");
    const plan = await runCxda(["plan", "--detailed-exitcode"], { cwd, env: env() });
    expect(plan.code).toBe(0);
  });

  it("a refused changeset applies nothing and names the operation and its line in cxda.yaml", async () => {
    const cwd = exampleCopy();
    const token = await getToken(emulator);
    // A locked action the file manages: the server refuses its update, so the whole changeset is refused.
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: {
        name: "normalize_phone",
        type: "SCRIPT",
        script: { language: "JavaScript", content: SCRIPT },
        locked: true,
      },
    });
    const revisionBefore = (await api(emulator, "GET", "/api/v2/environments", { token })).headers.get(
      "x-tenant-revision",
    );
    const result = await runCxda(["apply", "--auto-approve"], { cwd, env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("the changeset was refused, so nothing was applied");
    expect(result.stdout).toMatch(/normalize_phone.* at cxda\.yaml:\d+:\d+: .*lock/i);
    const after = await api(emulator, "GET", "/api/v2/dataactions?pageSize=100", { token });
    expect((after.body.entities as { name: string }[]).map((a) => a.name)).toEqual(["normalize_phone"]);
    expect(
      (await api(emulator, "GET", "/api/v2/environments", { token })).headers.get("x-tenant-revision"),
    ).toBe(revisionBefore);
  });

  it("a saved plan is refused once the tenant moved; the changeset carries its baseRevision", async () => {
    const cwd = exampleCopy();
    expect((await runCxda(["plan", "--out", "plan.json"], { cwd, env: env() })).code).toBe(0);
    const token = await getToken(emulator);
    await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: { name: "someone_else", type: "SCRIPT", script: { language: "JavaScript", content: SCRIPT } },
    });
    const refused = await runCxda(["apply", "--plan", "plan.json"], { cwd, env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the tenant changed since this plan was made/);
    expect((await runCxda(["plan", "--out", "plan.json"], { cwd, env: env() })).code).toBe(0);
    const applied = await runCxda(["apply", "--plan", "plan.json", "--json"], { cwd, env: env() });
    expect(applied.code, applied.stderr).toBe(0);
    expect(json(applied).via).toBe("changeset");
  });

  it("stages a plan above the batch limit: batches then one commit, all applied at once", async () => {
    const client = createClient({
      baseUrl: emulator.url,
      auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
    });
    try {
      const loaded = loadProject(resolve(EXAMPLE_DIR, "cxda.yaml"), { env: SECRETS });
      const desired = loaded.project!;
      const plan = computePlan(desired, (await readLiveState(client)).live);
      const batches: string[] = [];
      const result = await applyPlan({ client }, desired, plan, {
        batchLimits: { maxOperations: 4, maxBytes: 8 * 1024 * 1024 },
        onBatch: (b) => batches.push(`${b.stage} ${b.sequence}/${b.total}`),
      });
      expect(result).toMatchObject({ ok: true, via: "changeset", batches: 4 });
      expect(batches).toEqual(["sent 1/4", "sent 2/4", "sent 3/4", "sent 4/4", "committed 4/4"]);
      const sent = await writes();
      expect(sent[0]).toBe("POST /api/v2/changesets → 201");
      expect(sent.at(-1)).toMatch(/^POST \/api\/v2\/changesets\/[^/]+\/commit → 201$/);
      expect(sent.filter((w) => w.includes("/batches"))).toHaveLength(4);
      expect(planHasChanges(computePlan(desired, (await readLiveState(client)).live))).toBe(false);
    } finally {
      await client.close();
    }
  });
});
