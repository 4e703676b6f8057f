/** `POST /api/v2/dataactions/{id}/test` over real HTTP against an in-process emulator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultEmulatorConfig } from "../../src/emulator/config.js";
import { TestRunHandlers } from "../../src/emulator/handlers/test-runs.js";
import { ProblemError } from "../../src/emulator/problem.js";
import { type Sandbox, SandboxUnavailableError } from "../../src/emulator/sandbox/index.js";
import { openSqliteStore } from "../../src/emulator/store/sqlite-store.js";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  slug,
  startTestEmulator,
} from "./helpers.js";

const script = (content: string) => ({ language: "JavaScript", content });

describe("POST /dataactions/{id}/test", () => {
  let emulator: Emulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 10_000 } });
    token = await getToken(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function scriptNamed(name: string, content: string): Promise<Body> {
    return createAction(emulator, token, scriptAction(name, { script: script(content) }));
  }

  const test = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    api(emulator, "POST", `/api/v2/dataactions/${id}/test`, { token, body, headers });

  it("runs main(context) with input, variables and environment; console.log goes to logs", async () => {
    const action = await scriptNamed(
      "tr_echo",
      `function main(context) {
        console.log("input a =", context.input.a);
        return { doubled: context.input.a * 2, variables: context.variables, env: context.environment };
      }`,
    );
    emulator.store.variables.putActionSet("demo", action.id, {
      version: 2,
      modifiedTimestamp: 0,
      items: [{ name: "REGION", type: "string", encrypted: false, value: "eu-west" }],
    });
    const res = await test(action.id, { input: { a: 21 }, environmentId: "dev" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "SUCCESS",
      output: {
        doubled: 42,
        variables: { REGION: "eu-west" },
        env: { id: "dev", name: "development", order: 0, buildOnChange: true },
      },
      logs: ["input a = 21"],
    });
    expect(res.body.error).toBeUndefined();
    expect(typeof res.body.durationMs).toBe("number");

    const noEnv = await test(action.id, { input: { a: 1 } });
    expect(noEnv.body.output.env).toBeNull();
  });

  it("a missing input is null", async () => {
    const action = await scriptNamed("tr_null_input", "function main(c) { return { input: c.input }; }");
    const res = await test(action.id, {});
    expect(res.body).toMatchObject({ status: "SUCCESS", output: { input: null } });
  });

  it("an endless loop ends as TIMEOUT, and a concurrent request is answered before it ends", async () => {
    const action = await scriptNamed("tr_loop", "function main() { for (;;) {} }");
    const order: string[] = [];
    const loop = test(action.id, { input: null }).then((r) => {
      order.push("test");
      return r;
    });
    const get = api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token }).then((r) => {
      order.push("get");
      return r;
    });
    const [looped, got] = await Promise.all([loop, get]);
    expect(got.status).toBe(200);
    expect(order).toEqual(["get", "test"]);
    expect(looped.status).toBe(200);
    expect(looped.body.status).toBe("TIMEOUT");
    expect(looped.body.output).toBeNull();
    expect(looped.body.error).toMatch(/1000 ms|deadline|time/i);
  });

  it("unbounded allocation ends as FAILURE naming the memory limit", async () => {
    // Filling 32 MB takes QuickJS 150–500 ms on a quiet machine: an emulator of its own with a 10 s
    // deadline, so that a busy machine cannot turn the memory failure into a TIMEOUT.
    const roomy = await startTestEmulator({ sandbox: { timeoutMs: 10_000, memoryMb: 32 } });
    try {
      const roomyToken = await getToken(roomy);
      const action = await createAction(
        roomy,
        roomyToken,
        scriptAction("tr_alloc", {
          script: script('function main() { const a = []; for (;;) a.push("x".repeat(1024) + a.length); }'),
        }),
      );
      const res = await api(roomy, "POST", `/api/v2/dataactions/${action.id}/test`, {
        token: roomyToken,
        body: { input: null },
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("FAILURE");
      expect(res.body.error).toMatch(/memory/i);
      const next = await api(roomy, "GET", `/api/v2/dataactions/${action.id}`, { token: roomyToken });
      expect(next.status).toBe(200);
    } finally {
      await roomy.close();
    }
  });

  it("the script sees no host objects: no process, require, fetch or file access", async () => {
    const action = await scriptNamed(
      "tr_isolation",
      `function main() {
        return {
          process: typeof process, require: typeof require, fetch: typeof fetch,
          XMLHttpRequest: typeof XMLHttpRequest, importScripts: typeof importScripts,
          globalKeys: Object.getOwnPropertyNames(globalThis).filter((k) => /process|require|fs|net/i.test(k)),
        };
      }`,
    );
    const res = await test(action.id, { input: null });
    expect(res.body).toMatchObject({
      status: "SUCCESS",
      output: {
        process: "undefined",
        require: "undefined",
        fetch: "undefined",
        XMLHttpRequest: "undefined",
        importScripts: "undefined",
        globalKeys: [],
      },
    });
  });

  it("a thrown error is a FAILURE with its message and the logs so far", async () => {
    const action = await scriptNamed(
      "tr_throws",
      'function main() { console.log("before"); throw new Error("lead has no email"); }',
    );
    const res = await test(action.id, { input: null });
    expect(res.body.status).toBe("FAILURE");
    expect(res.body.error).toContain("lead has no email");
    expect(res.body.logs).toEqual(["before"]);
  });

  it("an HTTP action's request is rendered, not sent, with secret-looking header values masked", async () => {
    const action = await createAction(emulator, token, {
      name: "tr_http",
      type: "HTTP",
      config: {
        request: { method: "POST", urlTemplate: "https://crm.example.com/leads/{leadId}?region={REGION}" },
        headers: {
          Authorization: "Bearer sk_live_abcdef123456",
          "X-Api-Key": "key-123456789",
          "X-Source": "cxda",
          "X-Forwarded-Token-Hint": "plain",
          "X-Other": "Basic dXNlcjpwYXNz",
        },
      },
    });
    const res = await test(action.id, { input: { leadId: "42 a" } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("SUCCESS");
    expect(res.body.output).toEqual({
      method: "POST",
      url: "https://crm.example.com/leads/42%20a?region={REGION}",
      headers: {
        Authorization: "***",
        "X-Api-Key": "***",
        "X-Source": "cxda",
        "X-Forwarded-Token-Hint": "***",
        "X-Other": "***",
      },
    });
    expect(res.text).not.toContain("sk_live_abcdef123456");
    expect(res.text).not.toContain("dXNlcjpwYXNz");
    expect(res.body.logs.join("\n")).toMatch(/not sent/);
    expect(res.body.logs.join("\n")).toMatch(/\{REGION\}/);
  });

  it("replays a test run for the same Idempotency-Key instead of running it again", async () => {
    const action = await scriptNamed("tr_idem", "function main(c) { console.log('ran'); return c.input; }");
    const key = { "idempotency-key": "test-run-key-1" };
    const first = await test(action.id, { input: { n: 1 } }, key);
    const second = await test(action.id, { input: { n: 1 } }, key);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    const other = await test(action.id, { input: { n: 2 } }, key);
    expect(other.status).toBe(422);
    expect(slug(other)).toBe("idempotency-key-reuse");
  });

  it("a run that saw a decrypted secret is never kept for replay: a retry runs again", async () => {
    const secret = "sk-test-run-secret-0123456789";
    const action = await scriptNamed(
      "tr_secret",
      "function main(c) { console.log('ran'); return { echoed: c.variables.apiKey }; }",
    );
    const put = await api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
      token,
      body: { variables: [{ name: "apiKey", type: "string", value: secret, encrypted: true }] },
    });
    expect(put.status).toBe(200);
    const key = { "idempotency-key": "test-run-secret-key" };
    const first = await test(action.id, { input: null }, key);
    expect(first.body).toMatchObject({ status: "SUCCESS", output: { echoed: "***" } });
    const second = await test(action.id, { input: null }, key);
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(emulator.store.idempotency.get("demo", "test-run-secret-key")).toBeUndefined();
  });

  it.each([
    ["a body that is not an object", [1, 2], 400, "validation-failed"],
    ["an unknown field", { input: 1, inputs: 2 }, 400, "validation-failed"],
    ["a non-string environmentId", { input: 1, environmentId: 3 }, 400, "validation-failed"],
    ["an unknown environment", { input: 1, environmentId: "qa" }, 404, "not-found"],
  ])("refuses %s", async (_what, body, status, expected) => {
    const action = await scriptNamed(
      `tr_bad_${status}_${expected}_${JSON.stringify(body).length}`,
      "function main() {}",
    );
    const res = await test(action.id, body);
    expect(res.status).toBe(status);
    expect(slug(res)).toBe(expected);
    expect(res.body.detail).toMatch(/input|environmentId|environment|object/);
  });

  it("answers 404 for an unknown action, 401 without a token, 403 without the write scope", async () => {
    const missing = await test("00000000-0000-4000-8000-000000000000", { input: null });
    expect(missing.status).toBe(404);
    const action = await scriptNamed("tr_scopes", "function main() { return 1; }");
    const anonymous = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, {
      body: { input: null },
    });
    expect(anonymous.status).toBe(401);
    const readOnly = await getToken(emulator, undefined, "dataactions:read");
    const refused = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, {
      token: readOnly,
      body: { input: null },
    });
    expect(refused.status).toBe(403);
  });
});

describe("TestRunHandlers with a full sandbox", () => {
  it("turns SandboxUnavailableError into 503 service-unavailable with Retry-After", async () => {
    const store = openSqliteStore({});
    try {
      const config = defaultEmulatorConfig();
      const full: Sandbox = {
        run: async () => {
          throw new SandboxUnavailableError("queue full", "queue-full", 2);
        },
        close: async () => {},
      };
      store.actions.insert({
        tenantId: "demo",
        id: "a1",
        name: "queued",
        version: 1,
        createdTimestamp: 0,
        modifiedTimestamp: 0,
        locked: false,
        dependencies: [],
        doc: JSON.stringify({
          id: "a1",
          name: "queued",
          type: "SCRIPT",
          script: { language: "JavaScript", content: "function main() {}" },
          config: { request: null, headers: {}, dateProcessing: null },
          dependencies: [],
        }),
      });
      const handlers = new TestRunHandlers({ store, config, sandbox: full, keyring: undefined as never });
      const error = await handlers
        .run("demo", "a1", { input: null }, { decryptSecrets: true })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).status).toBe(503);
      expect((error as ProblemError).slug).toBe("service-unavailable");
      expect((error as ProblemError).headers["retry-after"]).toBe("2");
    } finally {
      store.close();
    }
  });
});
