/** createAction / testAction through the SDK facade against an in-process emulator (issue 4, part 3). */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CxdaEvent } from "../../src/audit/events.js";
import { ServerError, ValidationError } from "../../src/errors.js";
import { type CxdaSdk, createSdk, type SdkOptions } from "../../src/sdk/create-sdk.js";
import { api, type Body, type Emulator, getToken, startTestEmulator } from "../emulator/helpers.js";

const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;

const spec = (name: string, content = "function main(context) { return context.input; }", extra = {}) => ({
  name,
  type: "SCRIPT" as const,
  script: { language: "JavaScript" as const, content },
  ...extra,
});

let emulator: Emulator;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator({
    rateLimit: { perMinute: 1_000_000, burst: 10_000 },
    sandbox: { timeoutMs: 200, memoryMb: 32 },
  });
  token = await getToken(emulator);
});
afterAll(async () => {
  await emulator.close();
});

async function faults(rules: unknown[]): Promise<void> {
  const res = await api(emulator, "PUT", "/_emulator/faults", { body: { rules } });
  expect(res.status).toBe(200);
}

async function requests(): Promise<{ method: string; path: string; status: number | null }[]> {
  const res = await api(emulator, "GET", "/_emulator/requests");
  return (res.body.requests as Body[]).filter((r) => String(r.path).startsWith("/api/v2/"));
}

interface Harness {
  sdk: CxdaSdk;
  events: CxdaEvent[];
  audit(): Body[];
}

function harness(options: Partial<SdkOptions> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), "cxda-create-"));
  const file = join(dir, "audit.jsonl");
  const events: CxdaEvent[] = [];
  const sdk = createSdk({
    baseUrl: emulator.url,
    auth,
    auditLog: file,
    onEvent: (e) => {
      events.push(e);
    },
    ...options,
  });
  return {
    sdk,
    events,
    audit: () => {
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        return [];
      }
      return text
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
  };
}

beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
});

describe("createAction", () => {
  it("creates, runs the test, emits action.created and writes one audit line", async () => {
    const h = harness();
    try {
      await h.sdk.createAction(spec("base_transform"));
      const result = await h.sdk.createAction(
        spec(
          "lead_enrichment_v2",
          'function main(context) { console.log("enriching", context.input.email); return { ok: true, email: context.input.email }; }',
          { dependencies: ["base_transform"], description: "adds a score" },
        ),
        { testInput: { email: "a@example.com" } },
      );
      expect(result.action).toMatchObject({
        name: "lead_enrichment_v2",
        dependencies: ["base_transform"],
        version: 1,
      });
      expect(result.testResult).toMatchObject({
        status: "SUCCESS",
        output: { ok: true, email: "a@example.com" },
        logs: ["enriching a@example.com"],
      });
      expect(result.attempts).toBe(1);
      expect(result.replayed).toBe(false);
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      expect(result.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);

      const created = h.events.filter((e) => e.type === "action.created");
      expect(created).toHaveLength(2);
      expect(created[1]?.data).toMatchObject({
        actionId: result.action.id,
        actionName: "lead_enrichment_v2",
        testStatus: "SUCCESS",
        dependencies: ["base_transform"],
      });
      const lines = h.audit();
      expect(lines.map((l) => [l.operation, l.outcome])).toEqual([
        ["actions.create", "success"],
        ["actions.create", "success"],
      ]);
      expect(lines[1]).toMatchObject({
        status: 201,
        attempts: 1,
        idempotencyKey: result.idempotencyKey,
        target: { id: result.action.id, name: "lead_enrichment_v2" },
      });
      expect(lines[1].details).toMatchObject({ testStatus: "SUCCESS" });
    } finally {
      await h.sdk.close();
    }
  });

  it("a dropped POST is retried with the same Idempotency-Key and leaves exactly one action", async () => {
    const h = harness();
    try {
      await faults([{ method: "POST", path: "/api/v2/dataactions", drop: true, count: 1 }]);
      const result = await h.sdk.createAction(spec("dropped_once"), { idempotencyKey: "create-drop-key-1" });
      expect(result.action.name).toBe("dropped_once");
      expect(result.attempts).toBe(2);
      expect(result.replayed).toBe(true);
      expect(result.idempotencyKey).toBe("create-drop-key-1");
      const list = await api(emulator, "GET", "/api/v2/dataactions?name=dropped_once", { token });
      expect(list.body.total).toBe(1);
      const posts = (await requests()).filter((r) => r.method === "POST" && r.path === "/api/v2/dataactions");
      expect(posts).toHaveLength(2);
      expect(h.audit()).toHaveLength(1);
      expect(h.audit()[0]).toMatchObject({
        outcome: "success",
        attempts: 2,
        idempotencyKey: "create-drop-key-1",
      });
    } finally {
      await h.sdk.close();
    }
  });

  it("exhausted retries throw the typed error (never undefined) and write a failure audit line", async () => {
    const h = harness({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, sleep: async () => {} });
    try {
      await faults([{ method: "POST", path: "/api/v2/dataactions", status: 503 }]);
      const error = await h.sdk.createAction(spec("never_created")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).status).toBe(503);
      expect((error as ServerError).attempts).toBe(3);
      const lines = h.audit();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        operation: "actions.create",
        outcome: "failure",
        status: 503,
        attempts: 3,
      });
      expect(h.events).toEqual([]);
    } finally {
      await h.sdk.close();
    }
  });

  it("reports every local problem at once and sends nothing", async () => {
    const h = harness();
    try {
      const error = await h.sdk
        .createAction({
          name: "x",
          type: "SCRIPT",
          description: "d".repeat(2000),
          script: { language: "JavaScript", content: "function notMain() {}" },
          dependencies: ["ok_name", "ok_name"],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      const paths = (error as ValidationError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(["name", "description", "script.content", "dependencies[1]"]),
      );
      expect(await requests()).toEqual([]);
      expect(h.audit()[0]).toMatchObject({ outcome: "failure", problem: "validation-failed" });
    } finally {
      await h.sdk.close();
    }
  });

  it("a syntax error carries its line and column", async () => {
    const h = harness();
    try {
      const error = (await h.sdk
        .createAction(spec("bad_syntax", "function main(context) {\n  return context.input +;\n}"))
        .catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.slug).toBe("script-syntax");
      expect(error.issues[0]).toMatchObject({ path: "script.content", code: "script-syntax", line: 2 });
      expect(error.issues[0]?.column).toBeGreaterThan(1);
    } finally {
      await h.sdk.close();
    }
  });

  describe("against the live tenant graph, read page by page", () => {
    const CHAIN = 130;
    const chainName = (i: number) => `chain_${String(i).padStart(3, "0")}`;

    beforeEach(async () => {
      for (let i = 0; i < CHAIN; i++) {
        const res = await api(emulator, "POST", "/api/v2/dataactions", {
          token,
          body: spec(chainName(i), undefined, { dependencies: i === 0 ? [] : [chainName(i - 1)] }),
        });
        expect(res.status).toBe(201);
      }
    });

    it("accepts a dependency found only on the second page", async () => {
      const h = harness();
      try {
        const mark = (await requests()).length;
        const result = await h.sdk.createAction(
          spec("after_chain", undefined, { dependencies: [chainName(CHAIN - 1)] }),
        );
        expect(result.action.dependencies).toEqual([chainName(CHAIN - 1)]);
        const lists = (await requests())
          .slice(mark)
          .filter((r) => r.method === "GET" && r.path === "/api/v2/dataactions");
        expect(lists.length).toBe(2);
      } finally {
        await h.sdk.close();
      }
    });

    it("refuses an unknown dependency before sending the POST", async () => {
      const h = harness();
      try {
        const mark = (await requests()).length;
        const error = (await h.sdk
          .createAction(spec("dangling", undefined, { dependencies: [chainName(5), "no_such_action"] }))
          .catch((e: unknown) => e)) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.slug).toBe("unknown-dependency");
        expect(error.issues).toHaveLength(1);
        expect(error.issues[0]).toMatchObject({ path: "dependencies[1]", code: "unknown-dependency" });
        const after = (await requests()).slice(mark);
        expect(after.some((r) => r.method === "POST" && r.path === "/api/v2/dataactions")).toBe(false);
      } finally {
        await h.sdk.close();
      }
    });

    it("with checkGraph: false reads no tenant graph and still gets the server's refusal", async () => {
      const h = harness();
      try {
        const mark = (await requests()).length;
        const error = (await h.sdk
          .createAction(spec("unchecked", undefined, { dependencies: ["no_such_action"] }), {
            checkGraph: false,
          })
          .catch((e: unknown) => e)) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.slug).toBe("unknown-dependency");
        const after = (await requests()).slice(mark);
        expect(after.filter((r) => r.method === "GET").map((r) => r.path)).toEqual([]);
        expect(after.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([400]);
      } finally {
        await h.sdk.close();
      }
    });

    it("refuses a cycle that runs through the whole tenant graph, with its path", async () => {
      const h = harness();
      try {
        // chain_000 exists: giving it chain_129 as a dependency closes a 131-node cycle.
        const error = (await h.sdk
          .createAction(spec(chainName(0), undefined, { dependencies: [chainName(CHAIN - 1)] }))
          .catch((e: unknown) => e)) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.slug).toBe("dependency-cycle");
        const expected = [
          chainName(0),
          ...Array.from({ length: CHAIN }, (_, i) => chainName(CHAIN - 1 - i)),
        ].join(" → ");
        expect(error.message).toContain(expected);
        expect(h.audit()[0]).toMatchObject({ outcome: "failure", problem: "dependency-cycle" });
      } finally {
        await h.sdk.close();
      }
    });
  });

  it("reports a test that times out, in the result and the event", async () => {
    const h = harness();
    try {
      const result = await h.sdk.createAction(spec("endless", "function main() { while (true) {} }"), {
        testInput: null,
      });
      expect(result.testResult?.status).toBe("TIMEOUT");
      expect(h.events[0]?.data).toMatchObject({ testStatus: "TIMEOUT" });
    } finally {
      await h.sdk.close();
    }
  });

  it("a test that cannot run leaves the created action and says why in testError", async () => {
    const h = harness({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, sleep: async () => {} });
    try {
      await faults([{ method: "POST", path: "/api/v2/dataactions/*/test", status: 503 }]);
      const result = await h.sdk.createAction(spec("untested"), { testInput: { a: 1 } });
      expect(result.action.name).toBe("untested");
      expect(result.testResult).toBeNull();
      expect(result.testError).toMatchObject({ name: "ServerError", status: 503 });
      expect(h.audit()[0]).toMatchObject({ outcome: "success", status: 201 });
      expect(h.events[0]?.data).not.toHaveProperty("testStatus");
    } finally {
      await h.sdk.close();
    }
  });
});

describe("testAction", () => {
  it("resolves by name, runs the test, and writes no audit line (a test changes nothing)", async () => {
    const h = harness();
    try {
      await h.sdk.createAction(
        spec("tested_later", "function main(c) { console.log('n', c.input.n); return c.input.n + 1; }"),
      );
      const run = await h.sdk.testAction("tested_later", { input: { n: 41 }, environmentId: "dev" });
      expect(run.action.name).toBe("tested_later");
      expect(run.result).toMatchObject({ status: "SUCCESS", output: 42, logs: ["n 41"] });
      expect(run.attempts).toBe(1);
      expect(h.audit().map((l) => l.operation)).toEqual(["actions.create"]);
    } finally {
      await h.sdk.close();
    }
  });
});
