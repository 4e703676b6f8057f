/** The read-apply-write loop of header edits over a scripted fake client: re-read on 409/412, same edit
 *  re-applied, bounded attempts, jittered backoff. */
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import type { Action, ApiResponse, CxdaClient } from "../../src/client/types.js";
import { ConflictError, PreconditionError, ValidationError } from "../../src/errors.js";
import { mergePatchOf, setHeaders, unsetHeaders } from "../../src/workflows/headers.js";

function action(version: number, headers: Record<string, string>): Action {
  return {
    id: "0b6f3c1e-8d0a-4f6e-9d8c-1a2b3c4d5e6f",
    name: "crm_lookup",
    description: "",
    type: "HTTP",
    enabled: true,
    trigger: { type: "MANUAL" },
    script: null,
    config: {
      request: { method: "GET", urlTemplate: "https://crm.example.com/x" },
      headers,
      dateProcessing: null,
    },
    dependencies: [],
    locked: false,
    version,
    createdTimestamp: 1,
    modifiedTimestamp: 1,
  };
}

const ok = (body: Action): ApiResponse<Action> => ({
  status: 200,
  body,
  headers: {},
  version: body.version,
  attempts: 1,
  latencyMs: 1,
  replayed: false,
});

/** A server whose matrix another editor changes before each of our first `interleavings` writes. */
function contendedServer(options: { interleavings: number; error: () => Error }) {
  let current = action(1, { "X-Base": "1" });
  let interleaved = 0;
  const log: string[] = [];
  const patches: unknown[] = [];
  const client = {
    redactor: new Redactor(),
    actions: {
      resolve: async () => {
        log.push("resolve");
        return structuredClone(current);
      },
      get: async () => {
        log.push("GET");
        return ok(structuredClone(current));
      },
      patch: async (
        _id: string,
        patch: { config: { headers: Record<string, string | null> } },
        o: { version: number },
      ) => {
        patches.push(patch);
        if (interleaved < options.interleavings) {
          interleaved++;
          current = action(current.version + 1, {
            ...current.config.headers,
            [`X-Other-${interleaved}`]: "o",
          });
          log.push(`PATCH v${o.version} → conflict`);
          throw options.error();
        }
        const headers = { ...current.config.headers };
        for (const [k, v] of Object.entries(patch.config.headers)) {
          if (v === null) delete headers[k];
          else headers[k] = v;
        }
        current = action(current.version + 1, headers);
        log.push(`PATCH v${o.version} → 200`);
        return ok(structuredClone(current));
      },
    },
  } as unknown as CxdaClient;
  return { client, log, patches, current: () => current };
}

const precondition = () =>
  new PreconditionError("version changed", { status: 412, slug: "precondition-failed", attempts: 1 });

describe("header edit retry loop", () => {
  it("re-reads and re-applies the same edit after 412s, keeping the other editor's headers", async () => {
    const server = contendedServer({ interleavings: 2, error: precondition });
    const sleeps: number[] = [];
    const r = await setHeaders(
      { client: server.client },
      "crm_lookup",
      { "X-Mine": "m" },
      {
        random: () => 0.5,
        sleep: async (ms) => void sleeps.push(ms),
      },
    );
    expect(server.log).toEqual([
      "resolve",
      "PATCH v1 → conflict",
      "GET",
      "PATCH v2 → conflict",
      "GET",
      "PATCH v3 → 200",
    ]);
    expect(server.current().config.headers).toEqual({
      "X-Base": "1",
      "X-Other-1": "o",
      "X-Other-2": "o",
      "X-Mine": "m",
    });
    expect(r).toMatchObject({ attempts: 3, conflicts: 2, added: ["X-Mine"], unchanged: false });
    // Full jitter: random × min(cap, 20 ms × 2^(n-1)).
    expect(sleeps).toEqual([10, 20]);
  });

  it("treats 409 version-conflict like 412", async () => {
    const server = contendedServer({
      interleavings: 1,
      error: () => new ConflictError("stale", { status: 409, slug: "version-conflict" }),
    });
    const r = await unsetHeaders({ client: server.client }, "crm_lookup", ["x-base"], {
      sleep: async () => {},
    });
    expect(r).toMatchObject({ conflicts: 1, removed: ["X-Base"] });
    expect(server.current().config.headers).toEqual({ "X-Other-1": "o" });
  });

  it("gives up after maxAttempts with a ConflictError naming the action", async () => {
    const server = contendedServer({ interleavings: 100, error: precondition });
    const sleeps: number[] = [];
    const error = await setHeaders(
      { client: server.client },
      "crm_lookup",
      { "X-Mine": "m" },
      {
        maxAttempts: 4,
        random: () => 0.999,
        maxDelayMs: 50,
        sleep: async (ms) => void sleeps.push(ms),
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toMatch(
      /action crm_lookup kept changing .* after 4 read-apply-write attempts \(4 conflicts\)/,
    );
    expect((error as ConflictError).status).toBe(412);
    expect(server.patches).toHaveLength(4);
    expect(sleeps).toEqual([19, 39, 49]);
  });

  it("does not retry other conflicts (e.g. name-conflict) or errors", async () => {
    const server = contendedServer({
      interleavings: 1,
      error: () => new ConflictError("taken", { status: 409, slug: "name-conflict" }),
    });
    await expect(setHeaders({ client: server.client }, "crm_lookup", { "X-Mine": "m" })).rejects.toThrow(
      "taken",
    );
    expect(server.patches).toHaveLength(1);
  });

  it("refuses when the re-read matrix plus the edit breaks a rule, and says another editor changed it", async () => {
    let reads = 0;
    const client = {
      redactor: new Redactor(),
      actions: {
        resolve: async () => action(1, {}),
        get: async () => {
          reads++;
          return ok(action(2, { "X-Huge": "h".repeat(8000) }));
        },
        patch: async () => {
          throw precondition();
        },
      },
    } as unknown as CxdaClient;
    const error = (await setHeaders(
      { client },
      "crm_lookup",
      { "X-Mine": "m".repeat(500) },
      { sleep: async () => {} },
    ).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/once applied to the latest version \(another editor changed it\)/);
    expect(reads).toBe(1);
  });

  it("registers values of credential-like headers with the client's redactor", async () => {
    const server = contendedServer({ interleavings: 0, error: precondition });
    await setHeaders({ client: server.client }, "crm_lookup", {
      "X-Auth-Token": "tok-abcdef123",
      "X-Plain": "plain-value",
    });
    expect(server.client.redactor.redactString("tok-abcdef123 plain-value")).toBe("*** plain-value");
  });
});

describe("mergePatchOf", () => {
  it("sends the whole new matrix and null for every spelling the new matrix lacks", () => {
    expect(mergePatchOf({ "x-a": "1", "X-B": "2", "X-C": "3" }, { "X-A": "1", "X-B": "2" })).toEqual({
      "x-a": null,
      "X-C": null,
      "X-A": "1",
      "X-B": "2",
    });
  });
});
