/**
 * `--dry-run` on every single-resource write: the request that would be sent is printed (secrets
 * masked), the command exits 0, and the emulator's request log shows that no write went out.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createAction,
  getToken,
  scriptAction,
  startTestEmulator,
  UNTHROTTLED,
} from "../emulator/helpers.js";
import { type CliResult, json, runCxda, scratchDir } from "../helpers/cli.js";

type Emulator = Awaited<ReturnType<typeof startTestEmulator>>;
let emulator: Emulator;
let token: string;
let actionId: string;
const SECRET = "dry-run-Needle-7f3a91c2";
const cwd = scratchDir();

beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  token = await getToken(emulator);
  actionId = (await createAction(emulator, token, scriptAction("dry_run_action"))).id;
  writeFileSync(join(cwd, "main.js"), "function main(context) { return context.input; }\n");
  writeFileSync(
    join(cwd, "vars.yaml"),
    `- {name: apiKey, type: string, value: "${SECRET}", encrypted: true}\n- {name: region, type: string, value: eu}\n`,
  );
  writeFileSync(join(cwd, "headers.yaml"), `Authorization: Bearer ${SECRET}\nX-Source: cxda\n`);
  writeFileSync(join(cwd, "overrides.yaml"), `- {name: API_KEY, value: "${SECRET}", masked: true}\n`);
  const setUp = await cxda(["headers", "set", "dry_run_action", "X-Gone=1"]);
  expect(setUp.code, setUp.stderr).toBe(0);
});
afterAll(() => emulator.close());

async function lastSeq(): Promise<number> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  return (log.body.requests as { seq: number }[]).at(-1)?.seq ?? 0;
}

/** Requests after `seq` other than reads and token requests. */
async function writesSince(seq: number): Promise<string[]> {
  const log = await api(emulator, "GET", "/_emulator/requests");
  return (log.body.requests as { seq: number; method: string; path: string }[])
    .filter((r) => r.seq > seq && r.method !== "GET" && r.method !== "HEAD" && !r.path.startsWith("/oauth2/"))
    .map((r) => `${r.method} ${r.path}`);
}

const cxda = (args: string[]): Promise<CliResult> =>
  runCxda(args, { cwd, env: { CXDA_BASE_URL: emulator.url, CXDA_API_KEY: SECRET } });

const CASES: { args: string[]; method: string; path: RegExp }[] = [
  {
    args: ["headers", "set", "dry_run_action", "X-Source=cxda"],
    method: "PATCH",
    path: /\/dataactions\/[^/]+$/,
  },
  { args: ["headers", "unset", "dry_run_action", "X-Gone"], method: "PATCH", path: /\/dataactions\/[^/]+$/ },
  {
    args: ["headers", "replace", "dry_run_action", "-f", "headers.yaml"],
    method: "PATCH",
    path: /dataactions/,
  },
  { args: ["vars", "set", "dry_run_action", "-f", "vars.yaml"], method: "PUT", path: /\/variables$/ },
  { args: ["vars", "global", "set", "-f", "vars.yaml"], method: "PUT", path: /\/api\/v2\/variables$/ },
  {
    args: ["overrides", "set", "dry_run_action", "--env", "dev", "-f", "overrides.yaml"],
    method: "PATCH",
    path: /\/environments\/dev\/variables$/,
  },
  {
    args: ["overrides", "unset", "dry_run_action", "--env", "dev", "API_KEY"],
    method: "PATCH",
    path: /\/environments\/dev\/variables$/,
  },
  {
    args: ["actions", "create", "--name", "dry_new", "--script", "main.js"],
    method: "POST",
    path: /dataactions$/,
  },
  {
    args: ["actions", "update", "dry_run_action", "--script", "main.js", "--description", "dry"],
    method: "PATCH",
    path: /\/dataactions\/[^/]+$/,
  },
  { args: ["actions", "delete", "dry_run_action"], method: "DELETE", path: /\/dataactions\/[^/]+$/ },
  {
    args: [
      "datetime",
      "apply",
      "dry_run_action",
      "--source",
      "2024-02-29T15:30:00.000Z",
      "--timezone",
      "America/New_York",
      "--operation",
      "ADD_OFFSET",
      "--minutes",
      "60",
    ],
    method: "PATCH",
    path: /\/dataactions\/[^/]+$/,
  },
];

describe("--dry-run", () => {
  for (const c of CASES) {
    it(`${c.args.slice(0, 3).join(" ")}: prints the request, sends no write, exits 0`, async () => {
      const before = await lastSeq();
      const r = await cxda([...c.args, "--dry-run", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const out = json(r) as { dryRun: boolean; sent: boolean; request: { method: string; path: string } };
      expect(out).toMatchObject({ dryRun: true, sent: false });
      expect(out.request.method).toBe(c.method);
      expect(out.request.path).toMatch(c.path);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(await writesSince(before)).toEqual([]);

      const human = await cxda([...c.args, "--dry-run"]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toContain("dry run: nothing was sent");
      expect(human.stdout).toMatch(new RegExp(`^${c.method} /api/v2/`, "m"));
      expect(human.stdout + human.stderr).not.toContain(SECRET);
      expect(await writesSince(before)).toEqual([]);
    });
  }

  it("masks secret values in the printed body and leaves the action as it was", async () => {
    const r = await cxda(["vars", "set", "dry_run_action", "-f", "vars.yaml", "--dry-run", "--json"]);
    const body = (json(r).request as { body: { variables?: unknown[] } | unknown[] }).body;
    const items = (Array.isArray(body) ? body : (body.variables ?? [])) as { name: string; value: string }[];
    expect(items.find((v) => v.name === "apiKey")?.value).toBe("***");
    expect(items.find((v) => v.name === "region")?.value).toBe("eu");
    const action = await api(emulator, "GET", `/api/v2/dataactions/${actionId}`, { token });
    expect(action.status).toBe(200);
    expect(action.body.version).toBe(2);
    expect(action.body.config.headers).toEqual({ "X-Gone": "1" });
  });

  it("without --dry-run the same command does write (the log check can fail)", async () => {
    const before = await lastSeq();
    const r = await cxda(["headers", "set", "dry_run_action", "X-Source=cxda"]);
    expect(r.code, r.stderr).toBe(0);
    expect((await writesSince(before)).length).toBeGreaterThan(0);
  });
});
