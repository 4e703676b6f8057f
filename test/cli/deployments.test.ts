/** cxda deployments, history, diff and rollback: the built CLI against an in-process emulator. */
import { cpSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Emulator, getToken, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const SECRETS = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};

let emulator: Emulator;
let cwd: string;
const env = () => ({
  CXDA_BASE_URL: emulator.url,
  CXDA_CLIENT_ID: "cxda-demo",
  CXDA_CLIENT_SECRET: "cxda-demo-secret",
  CXDA_AUDIT_LOG: join(cwd, "audit.jsonl"),
  ...SECRETS,
});
const cxda = (...args: string[]) => runCxda(args, { cwd, env: env() });

beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  cwd = scratchDir();
  cpSync(EXAMPLE_DIR, cwd, { recursive: true });
  const applied = await cxda("apply", "--auto-approve");
  expect(applied.code, applied.stderr).toBe(0);
});
afterAll(() => emulator.close());

async function patchDescription(name: string, description: string): Promise<void> {
  const token = await getToken(emulator);
  const found = await api(emulator, "GET", `/api/v2/dataactions?name=${name}`, { token });
  const action = found.body.entities[0] as { id: string; version: number };
  await api(emulator, "PATCH", `/api/v2/dataactions/${action.id}`, {
    token,
    headers: { "if-match": `"${action.version}"`, "content-type": "application/merge-patch+json" },
    body: { description },
  });
}

describe("cxda deployments", () => {
  it("lists the apply, shows its resources, and rolls it back (dry run first, conflict, force)", async () => {
    const listed = await cxda("deployments", "list", "--json");
    expect(listed.code, listed.stderr).toBe(0);
    const deployments = json(listed).deployments as { id: string; counts: { created: number } }[];
    const applyDeployment = deployments[0]!;
    expect(applyDeployment.counts.created).toBeGreaterThan(0);

    const shown = await cxda("deployments", "show", applyDeployment.id, "--json");
    expect(shown.code, shown.stderr).toBe(0);
    const resources = (json(shown).deployment as { resources: { kind: string; name: string }[] }).resources;
    expect(
      resources
        .filter((r) => r.kind === "action")
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "callback_scheduler",
      "crm_lookup",
      "lead_score",
      "normalize_phone",
      "route_to_queue",
      "wrapup_notify",
    ]);
    for (const secret of Object.values(SECRETS)) expect(shown.stdout).not.toContain(secret);

    // A second deployment (an edit of the file), then an edit of its action through the API.
    const original = readFileSync(join(cwd, "cxda.yaml"), "utf8");
    const edited = original.replace("Scores the lead from the CRM record.", "Scores the lead (v2).");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(cwd, "cxda.yaml"), edited);
    const second = await cxda("apply", "--auto-approve", "--json");
    expect(second.code, second.stderr).toBe(0);
    const secondId = json(second).deploymentId as string;
    await patchDescription("lead_score", "edited by hand");

    const dry = await cxda("deployments", "rollback", secondId, "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/action lead_score\s+restore\s+v3\s+v1\s+changed since/);
    // Without a terminal to ask on, a rollback needs --yes (exit 64, nothing sent).
    const unasked = await cxda("deployments", "rollback", secondId);
    expect(unasked.code).toBe(64);
    expect(unasked.stderr).toMatch(/add --yes to roll back/);
    const refused = await cxda("deployments", "rollback", secondId, "--yes");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/lead_score/);
    const forced = await cxda("deployments", "rollback", secondId, "--yes", "--force", "--json");
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(forced)).toMatchObject({ rolledBack: secondId, force: true, actions: ["lead_score"] });
    const token = await getToken(emulator);
    const lead = await api(emulator, "GET", "/api/v2/dataactions?name=lead_score", { token });
    expect(lead.body.entities[0].description).toBe("Scores the lead from the CRM record.");

    const audit = readFileSync(join(cwd, "audit.jsonl"), "utf8");
    expect(audit).toMatch(/"operation":"deployments\.rollback".*"outcome":"success"/);
    for (const secret of Object.values(SECRETS)) expect(audit).not.toContain(secret);
    // The tenant is the original file again.
    writeFileSync(join(cwd, "cxda.yaml"), original);
    expect((await cxda("plan", "--detailed-exitcode")).code).toBe(0);
  });
});

describe("cxda history, diff and rollback --to-version", () => {
  it("lists versions, diffs them, and restores one (credential headers never shown)", async () => {
    await patchDescription("crm_lookup", "Looks the caller up (edited).");
    const history = await cxda("history", "crm_lookup", "--json");
    expect(history.code, history.stderr).toBe(0);
    const body = json(history) as { action: { version: number }; revisions: { version: number }[] };
    expect(body.revisions.map((r) => r.version)).toEqual([2, 1]);

    const diff = await cxda("diff", "crm_lookup", "--from", "1");
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('-  "description": "Looks the caller up in the CRM by phone number.",');
    expect(diff.stdout).toContain('+  "description": "Looks the caller up (edited).",');
    expect(diff.stdout).not.toContain(SECRETS.CRM_API_TOKEN);
    const wide = await cxda("diff", "crm_lookup", "--from", "1", "--json");
    expect(wide.stdout).not.toContain(SECRETS.CRM_API_TOKEN);
    expect((json(wide).config as { unifiedDiff: string }).unifiedDiff).not.toContain("Bearer");

    const dry = await cxda("rollback", "crm_lookup", "--to-version", "1", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("POST /api/v2/changesets");

    const restored = await cxda("rollback", "crm_lookup", "--to-version", "1", "--json");
    expect(restored.code, restored.stderr).toBe(0);
    expect(json(restored)).toMatchObject({
      fromVersion: 2,
      toVersion: 1,
      version: 3,
      keptHeaders: [],
    });
    const plan = await cxda("plan", "--detailed-exitcode");
    expect(plan.code, plan.stdout).toBe(0);

    const same = await cxda("rollback", "crm_lookup", "--to-version", "3");
    expect(same.code).toBe(65);
    expect(same.stderr).toMatch(/version 3 already/);
  });
});
