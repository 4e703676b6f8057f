/**
 * A rule written once gives the same answer on both sides (issue 14 item 1): the SDK checks locally
 * before sending, the emulator checks again over HTTP, and both say exactly the same thing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { type CxdaSdk, createSdk } from "../../src/sdk/create-sdk.js";
import { api, type Emulator, getToken, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";

let emulator: Emulator;
let token: string;
let sdk: CxdaSdk;

const script = (name: string, dependencies: string[] = []) => ({
  name,
  type: "SCRIPT" as const,
  script: {
    language: "JavaScript" as const,
    content: "function main(context) { return context.variables; }",
  },
  dependencies,
});

beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  token = await getToken(emulator);
  sdk = createSdk({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
  });
  expect((await api(emulator, "POST", "/api/v2/dataactions", { token, body: script("base") })).status).toBe(
    201,
  );
});
afterAll(async () => {
  await emulator.close();
});

describe("checkDependencies: the SDK and the emulator give the identical message", () => {
  it.each([
    { case: "a dependency on a missing action", name: "one_missing", deps: ["base", "ghost"] },
    { case: "two missing actions", name: "two_missing", deps: ["ghost", "phantom"] },
    { case: "a cycle (the action depends on itself)", name: "self_loop", deps: ["base", "self_loop"] },
  ])("$case", async ({ name, deps }) => {
    const local = await sdk.createAction(script(name, deps)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(local).toBeInstanceOf(ValidationError);
    const sdkError = local as ValidationError;

    const served = await api(emulator, "POST", "/api/v2/dataactions", { token, body: script(name, deps) });
    expect(served.status).toBeGreaterThanOrEqual(400);
    expect(served.status).toBeLessThan(500);
    expect(served.body.detail).toBe(sdkError.message);
    expect(served.body.type).toBe(`urn:cxda:problem:${sdkError.slug}`);
    expect(served.body.errors.map((i: { path: string; message: string }) => [i.path, i.message])).toEqual(
      sdkError.issues.map((i) => [i.path, i.message]),
    );
  });
});

describe("resolveEffectiveVariables: what the SDK resolves is what a test run sees", () => {
  it("override ▸ action ▸ global, for the same layers", async () => {
    const created = await api(emulator, "POST", "/api/v2/dataactions", { token, body: script("layers") });
    const id = created.body.id as string;
    const put = async (path: string, body: unknown) => {
      const res = await api(emulator, "PUT", path, { token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await put("/api/v2/variables", {
      variables: [
        { name: "REGION", type: "string", value: "global-region" },
        { name: "TIER", type: "string", value: "global-tier" },
        { name: "ONLY_GLOBAL", type: "string", value: "g" },
      ],
    });
    await put(`/api/v2/dataactions/${id}/variables`, {
      variables: [
        { name: "REGION", type: "string", value: "action-region" },
        { name: "ONLY_ACTION", type: "string", value: "a" },
      ],
    });
    await put(`/api/v2/dataactions/${id}/environments/prod/variables`, {
      version: 1,
      variables: [
        { name: "REGION", value: "prod-region" },
        { name: "TIER", value: "prod-tier" },
      ],
    });

    const resolved = await sdk.resolveVariables("layers", "prod");
    expect(resolved.variables.map((v) => [v.name, v.value, v.source, v.shadows])).toEqual([
      ["ONLY_ACTION", "a", "action", []],
      ["ONLY_GLOBAL", "g", "global", []],
      ["REGION", "prod-region", "override", ["global", "action"]],
      ["TIER", "prod-tier", "override", ["global"]],
    ]);

    const run = await api(emulator, "POST", `/api/v2/dataactions/${id}/test`, {
      token,
      body: { input: {}, environmentId: "prod" },
    });
    expect(run.status).toBe(200);
    expect(run.body.output).toEqual(Object.fromEntries(resolved.variables.map((v) => [v.name, v.value])));
  });
});
