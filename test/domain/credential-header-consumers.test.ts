/**
 * Every consumer of `isCredentialHeader` walked with the same table (issue 14 item 1, issue 15 item 7):
 * `cxda plan` (terminal and `--out`), `cxda export`, the emulator's database files at rest (DB and WAL),
 * the test-run render and the redactor. A credential never appears; a plain value appears as it is.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDACTED, Redactor } from "../../src/audit/redactor.js";
import { api, type Emulator, getToken, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { runCxda, scratchDir } from "../helpers/cli.js";
import { HEADER_TABLE } from "./credential-header-table.js";

const ROWS = HEADER_TABLE.filter((row) => row.settable !== false);
const HEADERS = Object.fromEntries(ROWS.map((row) => [row.name, row.value]));
const CREDENTIALS = ROWS.filter((row) => row.credential).map((row) => row.value);
const PLAIN = ROWS.filter((row) => !row.credential).map((row) => row.value);

let emulator: Emulator;
let token: string;
let dataDir: string;
const project = scratchDir();

function env(): Record<string, string> {
  return { CXDA_BASE_URL: emulator.url, CXDA_CLIENT_ID: "cxda-demo", CXDA_CLIENT_SECRET: "cxda-demo-secret" };
}

/** Every file under `dir`, recursively, as one text (latin1 keeps binary pages searchable). */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path).toString("latin1"))
    .join("\n");
}

function expectShownExactlyWhenPlain(sink: string, text: string): void {
  for (const value of CREDENTIALS) expect(text, `${sink} shows the credential ${value}`).not.toContain(value);
  for (const value of PLAIN) expect(text, `${sink} lost the plain value ${value}`).toContain(value);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cxda-cred-table-"));
  emulator = await startTestEmulator({ ...UNTHROTTLED, dataDir });
  token = await getToken(emulator);
  const file = {
    apiVersion: "cxda/v1",
    actions: {
      tbl_http: {
        type: "HTTP",
        description: "Every header of the credential table.",
        request: { method: "GET", urlTemplate: "https://crm.example.com/tbl" },
        headers: HEADERS,
      },
    },
  };
  // JSON is YAML: the literal values reach the planner exactly as written.
  writeFileSync(join(project, "cxda.yaml"), JSON.stringify(file, null, 2));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("one table of headers through every consumer", () => {
  it("plan, plan --out, apply, the database at rest, the test-run render and export agree", async () => {
    const plan = await runCxda(["plan", "--out", "plan.json"], { cwd: project, env: env() });
    expect(plan.code, plan.stderr).toBe(0);
    expectShownExactlyWhenPlain("plan output", plan.stdout + plan.stderr);
    expectShownExactlyWhenPlain("plan --out", readFileSync(join(project, "plan.json"), "utf8"));

    const apply = await runCxda(["apply", "--auto-approve"], { cwd: project, env: env() });
    expect(apply.code, apply.stderr).toBe(0);
    for (const value of CREDENTIALS) expect(apply.stdout + apply.stderr).not.toContain(value);

    // Read while the emulator runs, so the WAL still holds the writes.
    expect(readdirSync(dataDir).some((name) => name.endsWith("-wal"))).toBe(true);
    expectShownExactlyWhenPlain("database files", allText(dataDir));

    const listed = await api(emulator, "GET", "/api/v2/dataactions?name=tbl_http", { token });
    const id = listed.body.entities[0].id as string;
    // The API itself returns the action as stored (SPEC: headers are part of the resource).
    expect(listed.body.entities[0].config.headers).toEqual(HEADERS);
    const run = await api(emulator, "POST", `/api/v2/dataactions/${id}/test`, { token, body: { input: {} } });
    expect(run.status).toBe(200);
    expect(run.body.output.headers).toEqual(
      Object.fromEntries(ROWS.map((row) => [row.name, row.credential ? REDACTED : row.value])),
    );

    const out = scratchDir();
    const exported = await runCxda(["export", "-o", out], { env: env() });
    expect(exported.code, exported.stderr).toBe(0);
    expectShownExactlyWhenPlain("export files", allText(out));
    for (const value of CREDENTIALS) expect(exported.stdout + exported.stderr).not.toContain(value);

    const redacted = new Redactor().redact({ request: { headers: HEADERS } });
    expectShownExactlyWhenPlain("redactor", JSON.stringify(redacted));
  });
});
