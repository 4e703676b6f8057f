/** `-f -` and `--input @-` read standard input (piped), with issues located in `<stdin>`. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAction, getToken, scriptAction, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { type CliResult, json, runCxda } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;

beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  await createAction(emulator, await getToken(emulator), scriptAction("stdin_action"));
});
afterAll(() => emulator.close());

const cxda = (args: string[], input: string): Promise<CliResult> =>
  runCxda(args, { input, env: { CXDA_BASE_URL: emulator.url } });

describe("reading standard input", () => {
  it("headers validate -f - reads the map from stdin and points problems at <stdin>:LINE:COLUMN", async () => {
    const ok = await cxda(["headers", "validate", "-f", "-"], "X-Source: cxda\n");
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await cxda(["headers", "validate", "-f", "-"], "X-Source: cxda\nHost: example.com\n");
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/^<stdin>:2:1: .*Host/m);
  });

  it("vars set -f - writes the variables piped in", async () => {
    const r = await cxda(
      ["vars", "set", "stdin_action", "-f", "-"],
      "- {name: region, type: string, value: eu-west}\n",
    );
    expect(r.code, r.stderr).toBe(0);
    const got = json(await cxda(["vars", "get", "stdin_action", "--json"], ""));
    expect(JSON.stringify(got)).toContain("eu-west");
  });

  it("overrides validate -f - and headers replace -f - read stdin too", async () => {
    const v = await cxda(["overrides", "validate", "-f", "-"], "- {name: LOG_LEVEL, value: debug}\n");
    expect(v.code, v.stderr).toBe(0);
    const h = await cxda(["headers", "replace", "stdin_action", "-f", "-", "--json"], "X-From-Stdin: yes\n");
    expect(h.code, h.stderr).toBe(0);
    const got = await cxda(["headers", "get", "stdin_action", "--json"], "");
    expect(got.stdout).toContain("X-From-Stdin");
  });

  it("actions test --input @- takes context.input from stdin", async () => {
    const r = await cxda(["actions", "test", "stdin_action", "--input", "@-", "--json"], '{"piped": 42}');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ result: { output: { piped: 42 } } });
  });
});
