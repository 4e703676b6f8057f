/** `POST …/environments/{envId}/variables/promote`: a server-side copy of overrides, masked values included. */
import { describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../../src/emulator/server.js";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  slug,
  UNTHROTTLED,
  useTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(UNTHROTTLED, (running) => {
  ({ emulator, token } = running);
});

const SECRET = "sk-live-promote-0123456789";
const path = (id: string, env: string) => `/api/v2/dataactions/${id}/environments/${env}/variables`;

/** An action whose staging has REGION (plain) and API_KEY (masked), and whose prod differs. */
async function seeded(script = "function main(context) { return context.input; }"): Promise<Body> {
  const action = await createAction(
    emulator,
    token,
    scriptAction(`promo_${Math.random().toString(36).slice(2, 8)}`, {
      script: { language: "JavaScript", content: script },
    }),
  );
  const staging = await api(emulator, "PUT", path(action.id, "staging"), {
    token,
    body: {
      variables: [
        { name: "REGION", value: "eu-west-1", description: "where" },
        { name: "API_KEY", value: SECRET, masked: true },
      ],
    },
  });
  expect(staging.status).toBe(200);
  const prod = await api(emulator, "PUT", path(action.id, "prod"), {
    token,
    body: {
      variables: [
        { name: "REGION", value: "us-east-1" },
        { name: "ONLY_PROD", value: "kept" },
      ],
    },
  });
  expect(prod.status).toBe(200);
  return { ...action, staging: staging.body, prod: prod.body };
}

function promote(id: string, env: string, body: unknown, headers: Record<string, string> = {}) {
  return api(emulator, "POST", `${path(id, env)}/promote`, { token, body, headers });
}

describe("promote", () => {
  it("copies plain and masked overrides with the source's fingerprints, keeps the target's others", async () => {
    const action = await seeded();
    const res = await promote(action.id, "prod", { fromEnvironmentId: "staging" });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(SECRET);
    const source: Body[] = action.staging.variables;
    expect(res.body).toMatchObject({
      actionId: action.id,
      environmentId: "prod",
      version: action.prod.version + 1,
    });
    expect(res.body.variables).toEqual([
      { ...source.find((v) => v.name === "API_KEY"), value: "***", masked: true },
      { name: "ONLY_PROD", value: "kept", masked: false, description: "", fingerprint: expect.any(String) },
      source.find((v) => v.name === "REGION"),
    ]);
    expect(res.headers.get("etag")).toBe(`"${action.prod.version + 1}"`);
    // prod does not build on change; the response says nothing of a build.
    expect(res.body.build).toBeUndefined();
  });

  it("re-seals the masked value so a run in the target sees the same plaintext", async () => {
    const action = await seeded(
      `function main(context) { return { same: context.variables.API_KEY === ${JSON.stringify(SECRET)} }; }`,
    );
    expect(
      (await promote(action.id, "prod", { fromEnvironmentId: "staging", names: ["API_KEY"] })).status,
    ).toBe(200);
    const execute = await getToken(
      emulator,
      { id: DEMO_CLIENT_ID, secret: DEMO_CLIENT_SECRET },
      "dataactions:read dataactions:write dataactions:execute",
    );
    const run = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, {
      token: execute,
      body: { input: {}, environmentId: "prod" },
    });
    expect(run.status).toBe(200);
    expect(run.body.output).toEqual({ same: true });
  });

  it("copies only the names asked for, and builds where the target builds on change", async () => {
    const action = await seeded();
    const res = await promote(action.id, "dev", { fromEnvironmentId: "staging", names: ["REGION"] });
    expect(res.status).toBe(200);
    expect(res.body.variables.map((v: Body) => [v.name, v.value])).toEqual([["REGION", "eu-west-1"]]);
    expect(res.body.build).toMatchObject({ id: expect.any(String), status: "QUEUED" });
  });

  it("answers the same version when the target already matches (nothing written)", async () => {
    const action = await seeded();
    const first = await promote(action.id, "prod", { fromEnvironmentId: "staging" });
    const again = await promote(action.id, "prod", { fromEnvironmentId: "staging" });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(first.body.version);
  });

  it("replays an Idempotency-Key instead of promoting twice", async () => {
    const action = await seeded();
    const key = { "idempotency-key": "promote-once-1" };
    const first = await promote(action.id, "prod", { fromEnvironmentId: "staging", names: ["REGION"] }, key);
    const replay = await promote(action.id, "prod", { fromEnvironmentId: "staging", names: ["REGION"] }, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
  });

  it.each<[string, Body, number, string, RegExp]>([
    ["a missing source", {}, 400, "validation-failed", /fromEnvironmentId is required/],
    [
      "source = target",
      { fromEnvironmentId: "prod" },
      400,
      "validation-failed",
      /a different source environment/,
    ],
    ["an unknown source", { fromEnvironmentId: "qa" }, 404, "not-found", /Environment 'qa' is unknown/],
    [
      "an unknown field",
      { fromEnvironmentId: "staging", only: ["X"] },
      400,
      "validation-failed",
      /only is not a field/,
    ],
    [
      "a bad name",
      { fromEnvironmentId: "staging", names: ["lower"] },
      400,
      "validation-failed",
      /names\[0\]/,
    ],
    ["empty names", { fromEnvironmentId: "staging", names: [] }, 400, "validation-failed", /non-empty list/],
    [
      "a name the source lacks",
      { fromEnvironmentId: "staging", names: ["REGION", "NOPE"] },
      400,
      "validation-failed",
      /NOPE is not an override of .* in staging/,
    ],
    ["a stale version", { fromEnvironmentId: "staging", version: 1 }, 409, "version-conflict", /version/],
  ])("refuses %s, naming it", async (_what, body, status, problem, message) => {
    const action = await seeded();
    const res = await promote(action.id, "prod", body);
    expect([res.status, slug(res)]).toEqual([status, problem]);
    expect(`${res.body.detail} ${JSON.stringify(res.body.errors ?? [])}`).toMatch(message);
    // Nothing was written.
    const after = await api(emulator, "GET", path(action.id, "prod"), { token });
    expect(after.body.version).toBe(action.prod.version);
  });

  it("answers 404 for an unknown target environment and needs the write scope", async () => {
    const action = await seeded();
    const unknown = await promote(action.id, "qa", { fromEnvironmentId: "staging" });
    expect([unknown.status, slug(unknown)]).toEqual([404, "not-found"]);
    const reader = await getToken(
      emulator,
      { id: DEMO_CLIENT_ID, secret: DEMO_CLIENT_SECRET },
      "dataactions:read",
    );
    const res = await api(emulator, "POST", `${path(action.id, "prod")}/promote`, {
      token: reader,
      body: { fromEnvironmentId: "staging" },
    });
    expect(res.status).toBe(403);
  });
});
