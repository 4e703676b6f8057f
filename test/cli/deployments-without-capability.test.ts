/** deployments, history, diff and rollback against a server that does not offer them: a clear refusal, nothing sent. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAction, getToken, scriptAction, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { type CliResult, runCxda } from "../helpers/cli.js";

let emulator: Awaited<ReturnType<typeof startTestEmulator>>;

beforeAll(async () => {
  emulator = await startTestEmulator({
    ...UNTHROTTLED,
    disableCapabilities: ["changesets", "deployments", "revisions"],
  });
  await createAction(emulator, await getToken(emulator), scriptAction("no_history_action"));
});
afterAll(() => emulator.close());

const cxda = (...args: string[]): Promise<CliResult> =>
  runCxda(args, { env: { CXDA_BASE_URL: emulator.url } });

describe("a server without deployments and revisions", () => {
  it.each([
    [["deployments", "list"], /does not record deployments/],
    [["deployments", "rollback", "d-1", "--dry-run"], /does not record deployments/],
    [["history", "no_history_action"], /keeps no action history/],
    [["diff", "no_history_action", "--from", "1"], /keeps no action history/],
    [["rollback", "no_history_action", "--to-version", "1"], /keeps no action history/],
  ])("cxda %s exits 1 and says what the server lacks", async (args, message) => {
    const r = await cxda(...args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("refuses bad flags as usage errors before anything is sent", async () => {
    const r = await cxda("diff", "no_history_action", "--from", "zero");
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--from/);
  });
});
