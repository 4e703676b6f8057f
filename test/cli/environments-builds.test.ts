/** `cxda environments list` and `cxda builds list`: the built CLI against an in-process emulator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAction, getToken, scriptAction, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { type CliResult, json, runCxda } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;

beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  await createAction(emulator, await getToken(emulator), scriptAction("cli_builds_action"));
});
afterAll(() => emulator.close());

const cxda = (...args: string[]): Promise<CliResult> =>
  runCxda(args, { env: { CXDA_BASE_URL: emulator.url } });

describe("cxda environments list", () => {
  it("lists the tenant's environments in promotion order", async () => {
    const r = await cxda("environments", "list", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual({
      schemaVersion: 1,
      count: 3,
      environments: [
        { id: "dev", name: "development", order: 0, buildOnChange: true },
        { id: "staging", name: "staging", order: 1, buildOnChange: true },
        { id: "prod", name: "production", order: 2, buildOnChange: false },
      ],
    });
    const table = await cxda("environments", "list");
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+ORDER\s+BUILD ON CHANGE$/);
    expect(table.stdout).toMatch(/^prod\s+production\s+2\s+no$/m);
  });
});

describe("cxda builds list", () => {
  it("lists an action's builds, newest first, and --env keeps one environment", async () => {
    const none = await cxda("builds", "list", "cli_builds_action");
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("no builds of cli_builds_action yet");

    const ids: string[] = [];
    for (const env of ["dev", "prod"]) {
      const t = await cxda("builds", "trigger", "cli_builds_action", "--env", env, "--wait", "--json");
      expect(t.code, t.stderr).toBe(0);
      ids.push((json(t).build as { id: string }).id);
    }
    const all = await cxda("builds", "list", "cli_builds_action", "--json");
    expect(all.code, all.stderr).toBe(0);
    const body = json(all) as { count: number; builds: { id: string; status: string }[] };
    expect(body.count).toBe(2);
    expect(new Set(body.builds.map((b) => b.id))).toEqual(new Set(ids));
    expect(body.builds.every((b) => b.status === "SUCCEEDED")).toBe(true);

    const prod = json(await cxda("builds", "list", "cli_builds_action", "--env", "prod", "--json"));
    expect((prod.builds as { id: string }[]).map((b) => b.id)).toEqual([ids[1]]);

    const table = await cxda("builds", "list", "cli_builds_action");
    expect(table.stdout).toMatch(new RegExp(`^${ids[0]}\\s+dev\\s+SUCCEEDED\\s+manual`, "m"));
    expect(table.stdout).toContain("2 builds, newest first");
  });

  it("names the known environments when --env is unknown", async () => {
    const r = await cxda("builds", "list", "cli_builds_action", "--env", "qa");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("known environments: dev, staging, prod");
  });
});
