// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} placeholders are cxda.yaml text, not template literals
/** `cxda export`: pure buildExport rules, and export → plan shows no changes against the same tenant. */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildExport } from "../../src/project/export.js";
import { type LiveAction, normalizeLiveActions } from "../../src/project/live-state.js";
import { validateProject } from "../../src/project/validate-project.js";
import { api, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const SECRETS = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};
const SCRIPT = "function main(context) {\n  return context.input;\n}\n";

function liveAction(over: Partial<LiveAction> & { name: string }): Record<string, unknown> {
  return {
    id: `id-${over.name}`,
    version: 1,
    type: "SCRIPT",
    script: { language: "JavaScript", content: SCRIPT },
    config: { headers: over.headers ?? {}, dateProcessing: null },
    dependencies: [],
    ...over,
  };
}

describe("buildExport", () => {
  it("turns every secret into an ${env:…} placeholder and lists it", () => {
    const live = normalizeLiveActions(
      [
        {
          ...liveAction({ name: "crm_lookup" }),
          config: {
            headers: { Authorization: "Bearer s3cr3t-token", "X-Source": "cxda" },
            dateProcessing: null,
          },
          variables: [
            { name: "apiKey", type: "string", encrypted: true, fingerprint: "f1" },
            { name: "limit", type: "integer", value: "5", encrypted: false },
          ],
          environments: {
            prod: [{ name: "API_KEY", value: "***", masked: true, description: "", fingerprint: "f2" }],
            dev: [{ name: "API_KEY", value: "***", masked: true, description: "" }],
          },
        },
      ],
      { variables: true, overrides: true },
    );
    const out = buildExport(live);
    expect(out.yaml).not.toContain("s3cr3t");
    expect(out.secrets.map((s) => s.env)).toEqual([
      "CXDA_SECRET_CRM_LOOKUP_AUTHORIZATION",
      "CXDA_SECRET_CRM_LOOKUP_APIKEY",
      "CXDA_SECRET_CRM_LOOKUP_DEV_API_KEY",
      "CXDA_SECRET_CRM_LOOKUP_PROD_API_KEY",
    ]);
    expect(out.yaml).toContain("Authorization: ${env:CXDA_SECRET_CRM_LOOKUP_AUTHORIZATION}");
    expect(out.yaml).toContain("value: ${env:CXDA_SECRET_CRM_LOOKUP_APIKEY}");
    expect(out.yaml).toMatch(/^# yaml-language-server: \$schema=\.\/cxda\.schema\.json$/m);
  });

  it("reports what the format cannot hold instead of skipping it silently", () => {
    const live = normalizeLiveActions(
      [
        liveAction({ name: "ok_action", locked: true }),
        liveAction({ name: "x" }),
        { ...liveAction({ name: "odd_type" }), type: "WORKFLOW" },
        liveAction({ name: "needs_odd", dependencies: ["odd_type"] }),
      ],
      { variables: false, overrides: false },
    );
    const out = buildExport(live, {
      globalVariables: ["region"],
      notes: ["the server does not expand variables: live variables were not read"],
    });
    expect(out.actions).toEqual(["needs_odd", "ok_action"]);
    const reports = out.reports.map((r) => `${r.what}: ${r.reason}`);
    expect(reports).toEqual([
      "live read: the server does not expand variables: live variables were not read",
      expect.stringMatching(/^action needs_odd: depends on odd_type, which could not be exported/),
      expect.stringMatching(/^action odd_type: type WORKFLOW is not supported/),
      expect.stringMatching(/^action ok_action: is locked/),
      expect.stringMatching(/^action "x" \(id-x\): its name does not fit cxda\.yaml/),
      expect.stringMatching(/^global variable region: global variables are not part of cxda\.yaml/),
    ]);
  });

  it("escapes ${ in literal values so nothing is substituted, and the file reads back the same values", () => {
    const live = normalizeLiveActions(
      [
        {
          ...liveAction({ name: "alpha_one", description: "costs ${5}" }),
          config: { headers: { "X-Template": "${user}" }, dateProcessing: null },
          variables: [
            { name: "tpl", type: "string", value: "${not_a_placeholder}", encrypted: false },
            { name: "negative", type: "integer", value: "-42", encrypted: false },
            { name: "flag", type: "boolean", value: "true", encrypted: false },
            { name: "obj", type: "object", value: '{"b":1,"a":[1,2]}', encrypted: false },
          ],
        },
      ],
      { variables: true, overrides: true },
    );
    const out = buildExport(live);
    const result = validateProject(out.yaml, { readFile: () => SCRIPT, env: {} });
    expect(result.problems).toEqual([]);
    const action = result.project!.actions[0]!;
    expect(action.description).toBe("costs ${5}");
    expect(action.headers).toEqual({ "X-Template": "${user}" });
    expect(action.secretHeaders).toEqual([]);
    expect(action.variables!.map((v) => [v.name, v.value])).toEqual([
      ["tpl", "${not_a_placeholder}"],
      ["negative", "-42"],
      ["flag", "true"],
      ["obj", '{"b":1,"a":[1,2]}'],
    ]);
  });
});

describe("cxda export", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    await api(emulator, "POST", "/_emulator/reset");
  });
  const env = () => ({
    CXDA_BASE_URL: emulator.url,
    CXDA_CLIENT_ID: "cxda-demo",
    CXDA_CLIENT_SECRET: "cxda-demo-secret",
  });

  it("writes cxda.yaml and scripts with no secret in them; planning the export shows no changes", async () => {
    const applied = await runCxda(["apply", "-f", join(EXAMPLE_DIR, "cxda.yaml"), "--auto-approve"], {
      env: { ...env(), ...SECRETS },
    });
    expect(applied.code).toBe(0);
    const cwd = scratchDir();
    const before = (await api(emulator, "GET", "/_emulator/requests")).body.requests.length as number;
    const exported = await runCxda(["export", "-o", "tenant"], { cwd, env: env() });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/wrote tenant\/cxda\.yaml: 6 actions, 4 script files/);
    const reads = (await api(emulator, "GET", "/_emulator/requests")).body.requests.slice(before) as {
      path: string;
    }[];
    expect(reads.filter((r) => r.path.startsWith("/api/")).map((r) => r.path.split("?")[0])).toEqual([
      "/api/v2",
      "/api/v2/snapshot",
      "/api/v2/environments",
      "/api/v2/variables",
    ]);
    const files = readdirSync(join(cwd, "tenant", "scripts")).sort();
    expect(files).toEqual([
      "callback_scheduler.js",
      "lead_score.js",
      "normalize_phone.js",
      "route_to_queue.js",
    ]);
    expect(readFileSync(join(cwd, "tenant/scripts/lead_score.js"), "utf8")).toBe(
      readFileSync(join(EXAMPLE_DIR, "scripts/lead_score.js"), "utf8"),
    );
    const yaml = readFileSync(join(cwd, "tenant/cxda.yaml"), "utf8");
    for (const secret of Object.values(SECRETS)) {
      expect(yaml).not.toContain(secret);
      expect(exported.stdout + exported.stderr).not.toContain(secret);
    }
    const names = [...exported.stdout.matchAll(/^ {2}(CXDA_SECRET_\w+)/gm)].map((m) => m[1]);
    expect(names).toEqual([
      "CXDA_SECRET_CRM_LOOKUP_AUTHORIZATION",
      "CXDA_SECRET_CRM_LOOKUP_APIKEY",
      "CXDA_SECRET_ROUTE_TO_QUEUE_PROD_QUEUE_API_SECRET",
    ]);

    // The header's real value from the environment; encrypted and masked ones cannot be compared.
    const secretEnv = {
      CXDA_SECRET_CRM_LOOKUP_AUTHORIZATION: `Bearer ${SECRETS.CRM_API_TOKEN}`,
      CXDA_SECRET_CRM_LOOKUP_APIKEY: SECRETS.CRM_API_KEY,
      CXDA_SECRET_ROUTE_TO_QUEUE_PROD_QUEUE_API_SECRET: SECRETS.QUEUE_API_SECRET,
    };
    const plan = await runCxda(["plan", "-f", "tenant/cxda.yaml", "--detailed-exitcode", "--json"], {
      cwd,
      env: { ...env(), ...secretEnv },
    });
    expect(plan.code).toBe(0);
    expect(json(plan).summary).toEqual({ create: 0, update: 0, delete: 0, noOp: 6 });
  });

  it("refuses to overwrite any file without --force; over a project, keeps the placeholders it uses", async () => {
    const applied = await runCxda(["apply", "-f", join(EXAMPLE_DIR, "cxda.yaml"), "--auto-approve"], {
      env: { ...env(), ...SECRETS },
    });
    expect(applied.code).toBe(0);
    const cwd = scratchDir();
    cpSync(EXAMPLE_DIR, cwd, { recursive: true });
    const handEdited = `# my notes\n${readFileSync(join(cwd, "cxda.yaml"), "utf8")}`;
    writeFileSync(join(cwd, "cxda.yaml"), handEdited);
    const refused = await runCxda(["export", "-o", "."], { cwd, env: env() });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/export would overwrite an existing file: cxda\.yaml; pass --force/);
    expect(readFileSync(join(cwd, "cxda.yaml"), "utf8")).toBe(handEdited);

    // Only a script file in the way is refused as well, before anything is written.
    const other = scratchDir();
    mkdirSync(join(other, "scripts"));
    writeFileSync(join(other, "scripts", "lead_score.js"), "// mine\n");
    const scripts = await runCxda(["export", "-o", "."], { cwd: other, env: env() });
    expect(scripts.code).toBe(64);
    expect(scripts.stderr).toContain("scripts/lead_score.js");
    expect(readdirSync(other)).toEqual(["scripts"]);
    expect(readFileSync(join(other, "scripts", "lead_score.js"), "utf8")).toBe("// mine\n");

    const forced = await runCxda(["export", "-o", ".", "--force"], { cwd, env: env() });
    expect(forced.code, forced.stderr).toBe(0);
    const yaml = readFileSync(join(cwd, "cxda.yaml"), "utf8");
    expect(yaml).toContain("Bearer ${env:CRM_API_TOKEN}");
    expect(yaml).toContain("${env:CRM_API_KEY}");
    expect(yaml).toContain("${env:QUEUE_API_SECRET}");
    expect(yaml).not.toContain("CXDA_SECRET_");
    const names = [...forced.stdout.matchAll(/^ {2}([A-Z_]+) {2}\(/gm)].map((m) => m[1]);
    expect(names).toEqual(["CRM_API_TOKEN", "CRM_API_KEY", "QUEUE_API_SECRET"]);
    const plan = await runCxda(["plan", "--detailed-exitcode", "--json"], {
      cwd,
      env: { ...env(), ...SECRETS },
    });
    expect(plan.code, plan.stderr).toBe(0);
    expect(json(plan).summary).toEqual({ create: 0, update: 0, delete: 0, noOp: 6 });
  });

  it("answers --json and reports global variables it cannot export", async () => {
    const token = await getToken(emulator);
    await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: {
        variables: [{ name: "region", type: "string", value: "eu", encrypted: false, scope: "global" }],
      },
    });
    const cwd = scratchDir();
    const result = await runCxda(["export", "--json", "-f", "out/project.yaml"], { cwd, env: env() });
    expect(result.code).toBe(0);
    const body = json(result);
    expect(body).toMatchObject({ schemaVersion: 1, file: "out/project.yaml", actions: [], secrets: [] });
    expect(body.reports).toEqual([
      expect.objectContaining({ what: "global variable region", skipped: true }),
    ]);
    expect(readFileSync(join(cwd, "out/project.yaml"), "utf8")).toContain("apiVersion: cxda/v1");
  });
});
