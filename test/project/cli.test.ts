/** `cxda validate | schema | plan` end to end: the built CLI against an in-process emulator. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { projectJsonSchema } from "../../src/project/project-schema.js";
import { api, createAction, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");
const SECRETS = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
  ALPHA_KEY: "alpha-key-0123456789",
  ALPHA_TOKEN: "alpha-token-0123456789",
};
const SCRIPT = "function main(context) {\n  return context.input;\n}\n";

let emulator: Emulator;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
  token = await getToken(emulator);
});

function credentials() {
  return {
    CXDA_BASE_URL: emulator.url,
    CXDA_CLIENT_ID: "cxda-demo",
    CXDA_CLIENT_SECRET: "cxda-demo-secret",
    ...SECRETS,
  };
}

/** A project directory holding `files`; returns its path. */
function project(files: Record<string, string>): string {
  const dir = scratchDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const ALPHA_YAML = `apiVersion: cxda/v1
actions:
  alpha_one:
    type: SCRIPT
    description: The first action.
    script: {file: alpha.js}
    headers:
      X-Source: cxda
    variables:
      - {name: limit, type: integer, value: 5}
      - {name: apiKey, type: string, value: "\${env:ALPHA_KEY}", encrypted: true}
    overrides:
      prod:
        - {name: TOKEN, value: "\${env:ALPHA_TOKEN}", masked: true}
`;

describe("cxda validate", () => {
  it("accepts the example with a summary, exit 0", async () => {
    const result = await runCxda(["validate", "-f", join(EXAMPLE_DIR, "cxda.yaml")], { env: SECRETS });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cxda\.yaml is valid: 6 actions, 6 variables, overrides in 3 environments/);
  });

  it.each([
    [
      "a YAML syntax error",
      "apiVersion: cxda/v1\nactions:\n  alpha_one: {type: SCRIPT\n",
      /^cxda\.yaml:4:1: YAML syntax error/m,
    ],
    [
      "an unknown key with a did-you-mean",
      "apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    scirpt: {file: alpha.js}\n",
      /^cxda\.yaml:5:5: unknown key 'scirpt' in action 'alpha_one'; did you mean 'script'\?/m,
    ],
    [
      "a dependency cycle across the file",
      "apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    script: {file: alpha.js}\n    dependencies: [beta_two]\n  beta_two:\n    type: SCRIPT\n    script: {file: alpha.js}\n    dependencies: [alpha_one]\n",
      /^cxda\.yaml:6:20: dependency cycle across the file: alpha_one → beta_two → alpha_one/m,
    ],
    [
      "a duplicate action name",
      "apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    script: {file: alpha.js}\n  alpha_one:\n    type: SCRIPT\n    script: {file: alpha.js}\n",
      /^cxda\.yaml:6:3: duplicate action name 'alpha_one' \(first defined at line 3\)/m,
    ],
  ])("reports %s as file:line:column, exit 65", async (_name, yaml, expected) => {
    const cwd = project({ "cxda.yaml": yaml, "alpha.js": SCRIPT });
    const result = await runCxda(["validate"], { cwd });
    expect(result.code).toBe(65);
    expect(result.stdout).toMatch(expected);
    expect(result.stderr).toMatch(/problem/);
  });

  it("checks the structure without secret values; plan needs them", async () => {
    const cwd = project({
      "cxda.yaml": `apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n    script: {file: alpha.js}\n    headers: {Authorization: 'Bearer \${env:NOT_SET_ANYWHERE}'}\n`,
      "alpha.js": SCRIPT,
    });
    const validated = await runCxda(["validate"], { cwd });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toBe("cxda.yaml is valid: 1 action, 0 variables, overrides in 0 environments\n");
    expect(validated.stderr).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder as the user wrote it
      "1 placeholder was not set (${env:NOT_SET_ANYWHERE}); their values are checked by cxda plan",
    );
    const planned = await runCxda(["plan", "--base-url", "http://127.0.0.1:9"], { cwd });
    expect(planned.code).toBe(65);
    expect(planned.stderr).toMatch(/cxda\.yaml:6:30: environment variable NOT_SET_ANYWHERE is not set/);
  });

  it("answers --json with every problem and a schemaVersion", async () => {
    const cwd = project({
      "cxda.yaml": "apiVersion: cxda/v1\nactions:\n  ab:\n    type: SCRIPT\n    script: {file: missing.js}\n",
    });
    const result = await runCxda(["validate", "--json"], { cwd });
    expect(result.code).toBe(65);
    const body = json(result);
    expect(body).toMatchObject({ schemaVersion: 1, ok: false, file: "cxda.yaml" });
    const problems = body.problems as { line: number; column: number; message: string }[];
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(["3:3", "5:20"]);
  });
});

describe("cxda schema", () => {
  it("prints the JSON Schema, and --out writes it", async () => {
    const printed = await runCxda(["schema"]);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(projectJsonSchema());
    const cwd = scratchDir();
    const written = await runCxda(["schema", "--out", "s.json"], { cwd });
    expect(written.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, "s.json"), "utf8"))).toEqual(
      JSON.parse(readFileSync(join(EXAMPLE_DIR, "cxda.schema.json"), "utf8")),
    );
  });
});

describe("cxda plan", () => {
  it("plans the example against an empty tenant from one snapshot request, and changes nothing", async () => {
    const cwd = scratchDir();
    cpSync(EXAMPLE_DIR, join(cwd, "project"), { recursive: true });
    const before = (await api(emulator, "GET", "/_emulator/requests")).body.requests.length as number;
    const result = await runCxda(
      ["plan", "-f", "project/cxda.yaml", "--detailed-exitcode", "--out", "plan.json"],
      { cwd, env: credentials() },
    );
    // GET /api/v2 (capabilities), then GET /api/v2/snapshot (docs/api.md).
    expect(result.stderr).toMatch(/0 actions read in 2 requests/);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("+ crm_lookup create action");
    expect(result.stdout).toContain("+ headers.Authorization: ***");
    expect(result.stdout.trim().split("\n").at(-1)).toBe("Plan: 15 to create, 0 to update, 0 to delete.");
    const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests.slice(before) as {
      method: string;
      path: string;
    }[];
    const apiCalls = log.filter((r) => r.path.startsWith("/api/"));
    expect(apiCalls.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v2", "GET /api/v2/snapshot"]);
    const saved = readFileSync(join(cwd, "plan.json"), "utf8");
    expect(JSON.parse(saved)).toMatchObject({
      schemaVersion: 1,
      summary: { create: 15, update: 0, delete: 0 },
    });
    for (const secret of Object.values(SECRETS)) {
      expect(saved).not.toContain(secret);
      expect(result.stdout).not.toContain(secret);
    }
  });

  it("shows no changes when the tenant matches, then catches a header changed through the API", async () => {
    const cwd = project({ "cxda.yaml": ALPHA_YAML, "alpha.js": SCRIPT });
    const created = await createAction(emulator, token, {
      name: "alpha_one",
      type: "SCRIPT",
      description: "The first action.",
      script: { language: "JavaScript", content: SCRIPT },
      config: { headers: { "X-Source": "cxda" } },
    });
    const vars = await api(emulator, "PUT", `/api/v2/dataactions/${created.id}/variables`, {
      token,
      body: {
        variables: [
          { name: "limit", type: "integer", value: "5", encrypted: false, scope: "action" },
          { name: "apiKey", type: "string", value: "some-other-secret", encrypted: true, scope: "action" },
        ],
      },
    });
    expect(vars.status).toBe(200);
    const overrides = await api(
      emulator,
      "PUT",
      `/api/v2/dataactions/${created.id}/environments/prod/variables`,
      {
        token,
        body: { variables: [{ name: "TOKEN", value: "another-token-value", masked: true }] },
      },
    );
    expect(overrides.status).toBe(200);
    await createAction(emulator, token, {
      name: "legacy_one",
      type: "SCRIPT",
      script: { language: "JavaScript", content: SCRIPT },
    });

    const same = await runCxda(["plan", "--detailed-exitcode"], { cwd, env: credentials() });
    expect(same.stdout).toContain("= alpha_one: up to date");
    expect(same.stdout).toContain("= legacy_one: not in the file; left alone (--prune deletes it)");
    expect(same.stdout).toContain("No changes");
    expect(same.code).toBe(0);

    const patched = await api(emulator, "PATCH", `/api/v2/dataactions/${created.id}`, {
      token,
      body: { config: { headers: { "X-Source": "someone-else" } } },
    });
    expect(patched.status).toBe(200);
    const drift = await runCxda(["plan", "--detailed-exitcode", "--prune", "--json"], {
      cwd,
      env: credentials(),
    });
    expect(drift.code).toBe(2);
    const body = json(drift);
    expect(body.schemaVersion).toBe(1);
    expect(body.changes).toEqual([
      {
        kind: "update",
        action: "alpha_one",
        resource: "headers",
        diff: [{ path: "headers.X-Source", op: "change", before: "someone-else", after: "cxda" }],
        reason: "headers differ from the file",
      },
      {
        kind: "delete",
        action: "legacy_one",
        resource: "action",
        diff: [{ path: "", op: "remove" }],
        reason: "not in the file; deleted because of --prune",
      },
    ]);
  });

  it("refuses an invalid project before reading the tenant, exit 65 with file:line:column", async () => {
    const cwd = project({ "cxda.yaml": "apiVersion: cxda/v1\nactions:\n  alpha_one:\n    type: SCRIPT\n" });
    const before = (await api(emulator, "GET", "/_emulator/requests")).body.requests.length as number;
    const result = await runCxda(["plan"], { cwd, env: credentials() });
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(
      /cxda\.yaml:3:3: action alpha_one: a SCRIPT action needs 'script: \{file: path\/to\/script\.js\}'/,
    );
    const after = (await api(emulator, "GET", "/_emulator/requests")).body.requests.length as number;
    expect(after).toBe(before);
  });
});
