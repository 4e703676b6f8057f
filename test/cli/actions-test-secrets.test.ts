/** `cxda actions test` on an action with a secret: withheld without dataactions:execute, masked with it. */
import { beforeAll, describe, expect, it } from "vitest";
import { api, createAction, type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda } from "../helpers/cli.js";

const SECRET = "cli-run-secret-4471-kiwi";
const CLIENTS = {
  ci: { id: "ci", secret: "ci-client-secret-1" },
  runner: { id: "runner", secret: "runner-client-secret-1" },
};

let emulator: Emulator;
let token: string;

useTestEmulator(
  {
    config: {
      tenants: [
        {
          id: "acme",
          clients: [
            CLIENTS.ci,
            { ...CLIENTS.runner, scopes: ["dataactions:read", "dataactions:write", "dataactions:execute"] },
          ],
        },
      ],
    },
  },
  (running) => {
    ({ emulator, token } = running);
  },
  { resetEach: false, client: CLIENTS.runner },
);

beforeAll(async () => {
  const action = await createAction(emulator, token, {
    name: "uses_secret",
    type: "SCRIPT",
    script: {
      language: "JavaScript",
      content:
        "function main(c) { console.log('key', c.variables.apiKey); return { key: c.variables.apiKey }; }",
    },
  });
  const put = await api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
    token,
    body: { variables: [{ name: "apiKey", type: "string", value: SECRET, encrypted: true }] },
  });
  expect(put.status).toBe(200);
});

const cxda = (client: keyof typeof CLIENTS, ...args: string[]) =>
  runCxda(["actions", "test", "uses_secret", "--base-url", emulator.url, ...args], {
    env: { CXDA_CLIENT_ID: CLIENTS[client].id, CXDA_CLIENT_SECRET: CLIENTS[client].secret },
  });

describe("cxda actions test with a secret variable", () => {
  it("without dataactions:execute: the run saw ***, and a note says why", async () => {
    const res = await cxda("ci");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"key": "***"');
    expect(res.stdout).toContain(
      'note    the run saw "***" for the secret apiKey: decrypted values need a token with the dataactions:execute scope',
    );
    const machine = await cxda("ci", "--json");
    expect(json(machine)).toMatchObject({ result: { output: { key: "***" }, secretsWithheld: ["apiKey"] } });
    expect(res.stdout + res.stderr + machine.stdout).not.toContain(SECRET);
  });

  it("with dataactions:execute: no note, and the secret is masked in output and logs", async () => {
    const res = await cxda("runner");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"key": "***"');
    expect(res.stdout).toContain("key ***");
    expect(res.stdout).not.toContain("note");
    expect(res.stdout + res.stderr).not.toContain(SECRET);
  });
});
