/** `--output json|yaml|table` and `--jq EXPR` on read commands. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { json, runCxda } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

const cxda = (...args: string[]) => runCxda(args, { env: { CXDA_BASE_URL: emulator.url } });

describe("--output and --jq", () => {
  it("--output json is --json, yaml the same data as YAML, table the human form", async () => {
    const asJson = json(await cxda("environments", "list", "--json"));
    expect(json(await cxda("environments", "list", "--output", "json"))).toEqual(asJson);
    const yaml = await cxda("environments", "list", "--output", "yaml");
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(parse(yaml.stdout)).toEqual(asJson);
    const table = await cxda("environments", "list", "--output", "table");
    expect(table.stdout).toBe((await cxda("environments", "list")).stdout);
    expect(table.stdout).toMatch(/^ID\s+NAME/);
  });

  it("--jq filters the JSON result with jq's own semantics, strings raw", async () => {
    const ids = await cxda("environments", "list", "--jq", ".environments[].id");
    expect(ids.code, ids.stderr).toBe(0);
    expect(ids.stdout).toBe("dev\nstaging\nprod\n");
    const built = await cxda(
      "environments",
      "list",
      "--jq",
      "[.environments[] | select(.buildOnChange) | .id]",
    );
    expect(JSON.parse(built.stdout)).toEqual(["dev", "staging"]);
    const v = await runCxda(["version", "--jq", ".apiVersion"]);
    expect(v.stdout).toBe("v2\n");
  });

  it("refuses an unknown format or a bad jq expression as a usage error (64)", async () => {
    const format = await runCxda(["version", "--output", "xml"]);
    expect(format.code).toBe(64);
    expect(format.stderr).toContain("xml");
    const bad = await runCxda(["version", "--jq", ".["]);
    expect(bad.code).toBe(64);
    expect(bad.stdout + bad.stderr).toContain("--jq: jq: error: syntax error");
  });
});
