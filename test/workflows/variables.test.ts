/**
 * Variable workflows against the emulator (issue 6): register with local validation and verification,
 * event and audit line, metrics, global variables, rotation check and re-encryption; and a faulted
 * server that drops an item from the PUT answer.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CxdaEvent } from "../../src/audit/events.js";
import { BugError, createClient, ValidationError } from "../../src/index.js";
import { type VariableInput, verifyStored } from "../../src/workflows/variables.js";
import { type Emulator, UNTHROTTLED, useTestEmulator } from "../emulator/helpers.js";

let emulator: Emulator;
let dir: string;
const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;
const SECRET = "wf-secret-Needle-81b2c";

useTestEmulator(
  UNTHROTTLED,
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cxda-wf-vars-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIST: VariableInput[] = [
  { name: "baseUrl", type: "string", value: "https://crm.example.test" },
  { name: "maxRetries", type: "integer", value: "3" },
  { name: "enabled", type: "boolean", value: "true" },
  { name: "apiKey", type: "string", value: SECRET, encrypted: true },
];

function sdk(baseUrl = emulator.url, extra: { auditLog?: string; onEvent?: (e: CxdaEvent) => void } = {}) {
  return createClient({ baseUrl, auth, ...extra });
}

async function createScriptAction(cxda: ReturnType<typeof sdk>, name: string): Promise<string> {
  const created = await cxda.actions.create({
    name,
    type: "SCRIPT",
    script: { language: "JavaScript", content: "function main(c) { return c.variables; }" },
  });
  return created.body.id;
}

describe("registerVariables", () => {
  it("writes with the version read, verifies the answer, emits variables.updated and one audit line", async () => {
    const events: CxdaEvent[] = [];
    const auditLog = join(dir, "register.jsonl");
    const cxda = sdk(emulator.url, { auditLog, onEvent: (e) => void events.push(e) });
    const id = await createScriptAction(cxda, "wf_vars_register");
    const result = await cxda.registerVariables("wf_vars_register", LIST);
    expect(result).toMatchObject({ actionId: id, version: 2, count: 4, encryptedCount: 1, unchanged: false });
    expect(result.variables[3]).toMatchObject({ name: "apiKey", value: null, encrypted: true });

    const again = await cxda.registerVariables(id, LIST);
    expect(again.unchanged).toBe(true);
    expect(again.version).toBe(2);

    expect(events.map((e) => e.type)).toEqual(["variables.updated", "variables.updated"]);
    expect(events[0]!.data).toMatchObject({
      actionId: id,
      actionName: "wf_vars_register",
      scope: "action",
      names: ["baseUrl", "maxRetries", "enabled", "apiKey"],
      count: 4,
      encryptedCount: 1,
      version: 2,
    });
    const lines = readFileSync(auditLog, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.operation, l.outcome])).toEqual([
      ["variables.set", "success"],
      ["variables.set", "success"],
    ]);
    expect(lines[0].counts).toEqual({ variables: 4, encrypted: 1 });
    expect(readFileSync(auditLog, "utf8")).not.toContain(SECRET);
    expect(JSON.stringify(events)).not.toContain(SECRET);

    const metrics = cxda.variableMetrics();
    expect(metrics).toMatchObject({
      operations: 2,
      successes: 2,
      failures: 0,
      variablesWritten: 4,
      encryptedWritten: 1,
    });
    expect(metrics.latencyMs.total).toBeGreaterThanOrEqual(metrics.latencyMs.max);
    await cxda.close();
  });

  it("validates locally and reports every problem before any request", async () => {
    const cxda = sdk();
    await createScriptAction(cxda, "wf_vars_invalid");
    const before = cxda.metrics().requests;
    const bad = [
      { name: "__proto__", type: "string", value: "x" },
      { name: "ratio", type: "float", value: "0.5" },
      { name: "n", type: "integer", value: 5 },
    ] as unknown as VariableInput[];
    const error = await cxda.registerVariables("wf_vars_invalid", bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      "variables[0].name",
      "variables[1].type",
      "variables[2].value",
    ]);
    expect(cxda.metrics().requests).toBe(before);
    expect(cxda.variableMetrics()).toMatchObject({ operations: 1, successes: 0, failures: 1 });
    await cxda.close();
  });

  /** A client whose first variables PUT is preceded by another writer's commit (between read and write). */
  function racedOnce(cxda: ReturnType<typeof sdk>, id: string, other: VariableInput[]) {
    const client = cxda.context.client;
    const real = client.variables;
    let raced = 0;
    client.variables = {
      ...real,
      replace: async (...args) => {
        if (raced === 0) {
          raced++;
          const current = (await real.get(id)).body;
          await real.replace(id, other, { version: current.version });
        }
        return real.replace(...args);
      },
    };
    return {
      raced: () => raced,
      restore: () => {
        client.variables = real;
      },
    };
  }

  it("a concurrent writer's commit between read and write: re-read, then the replace is written (409 first)", async () => {
    const cxda = sdk();
    const id = await createScriptAction(cxda, "wf_vars_conflict");
    const race = racedOnce(cxda, id, [{ name: "other", type: "string", value: "x" }]);
    const result = await cxda.registerVariables(id, LIST, { sleep: async () => {} });
    race.restore();
    expect(race.raced()).toBe(1);
    expect(result).toMatchObject({ conflicts: 1, unchanged: false, version: 3, count: LIST.length });
    // A replace makes the set exactly LIST: the other writer's set is replaced knowingly, on its version.
    expect((await cxda.getVariables(id)).variables.map((v) => v.name)).toEqual(LIST.map((v) => v.name));
    await cxda.close();
  });

  it("upsertVariables adds to the set read, keeping a concurrent writer's variable", async () => {
    const cxda = sdk();
    const id = await createScriptAction(cxda, "wf_vars_upsert");
    await cxda.registerVariables(id, [{ name: "first", type: "string", value: "1" }]);
    const race = racedOnce(cxda, id, [
      { name: "first", type: "string", value: "1" },
      { name: "other", type: "string", value: "x" },
    ]);
    const result = await cxda.variables.upsert(id, [{ name: "mine", type: "integer", value: "7" }], {
      sleep: async () => {},
    });
    race.restore();
    expect(result.conflicts).toBe(1);
    const names = (await cxda.getVariables(id)).variables.map((v) => `${v.name}=${v.value}`);
    expect(names).toEqual(["first=1", "other=x", "mine=7"]);
    await cxda.close();
  });

  it("upsertVariables refuses to drop a secret it cannot read back, and writes nothing", async () => {
    const cxda = sdk();
    const id = await createScriptAction(cxda, "wf_vars_upsert_secret");
    await cxda.registerVariables(id, LIST);
    const before = (await cxda.getVariables(id)).version;
    const error = await cxda.variables
      .upsert(id, [{ name: "region", type: "string", value: "eu" }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/encrypted variable apiKey cannot be read back/);
    expect((error as ValidationError).message).not.toContain(SECRET);
    expect((await cxda.getVariables(id)).version).toBe(before);
    await cxda.close();
  });
});

/** A proxy in front of the emulator that drops the last variable from every PUT …/variables answer. */
async function droppingProxy(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && !["host", "content-length", "connection"].includes(k)) headers[k] = v;
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? "GET",
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let text = await upstream.text();
    if (req.method === "PUT" && /\/variables$/.test(req.url ?? "") && upstream.status === 200) {
      const body = JSON.parse(text);
      body.variables.pop();
      text = JSON.stringify(body);
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, key) => {
      if (!["content-length", "transfer-encoding", "connection", "content-encoding"].includes(key))
        out[key] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("a faulted server", () => {
  it("dropping an item from the PUT answer is detected as a BugError naming the missing variable", async () => {
    const proxy = await droppingProxy(emulator.url);
    const auditLog = join(dir, "faulted.jsonl");
    const events: CxdaEvent[] = [];
    const cxda = sdk(proxy.url, { auditLog, onEvent: (e) => void events.push(e) });
    try {
      await createScriptAction(cxda, "wf_vars_faulted");
      const error = await cxda.registerVariables("wf_vars_faulted", LIST).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BugError);
      expect((error as Error).message).toContain("stored 3 variables for the 4 sent");
      expect((error as Error).message).toContain("missing apiKey");
      expect(events).toEqual([]);
      const lines = readFileSync(auditLog, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.operation, l.outcome])).toEqual([["variables.set", "failure"]]);
      expect(cxda.variableMetrics()).toMatchObject({ failures: 1, successes: 0, encryptedWritten: 0 });
    } finally {
      await cxda.close();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });

  it("verifyStored: extra, repeated and leaked-secret answers are all faults", () => {
    const sent: VariableInput[] = [
      { name: "a", type: "string", value: "1" },
      { name: "s", type: "string", value: "x", encrypted: true },
    ];
    const item = (name: string, value: string | null = "1") => ({
      name,
      type: "string",
      value,
      encrypted: false,
      scope: "action",
    });
    expect(() => verifyStored(sent, { variables: [item("a"), item("s", null), item("z")] })).toThrow(
      /unexpected z/,
    );
    expect(() => verifyStored(sent, { variables: [item("a"), item("a")] })).toThrow(/missing s.*repeated a/);
    expect(() => verifyStored(sent, { variables: [item("a"), item("s", "x")] })).toThrow(
      /encrypted variable s/,
    );
    expect(() => verifyStored(sent, {})).toThrow(BugError);
    expect(verifyStored(sent, { variables: [item("a"), item("s", null)] })).toHaveLength(2);
  });
});

describe("global variables, rotation check and re-encryption", () => {
  it("finds secrets left on an old key across the tenant, and re-encryption clears them", async () => {
    const cxda = sdk();
    await createScriptAction(cxda, "wf_rot_a");
    await createScriptAction(cxda, "wf_rot_b");
    await cxda.registerVariables("wf_rot_a", LIST);
    await cxda.registerVariables("wf_rot_b", LIST.slice(0, 2));
    const globals = await cxda.setGlobalVariables([
      { name: "region", type: "string", value: "eu" },
      { name: "shared", type: "string", value: "global-Needle-1", encrypted: true },
    ]);
    expect(globals).toMatchObject({ scope: "global", count: 2, encryptedCount: 1 });
    expect((await cxda.getGlobalVariables()).variables.map((v) => v.value)).toEqual(["eu", null]);

    const clean = await cxda.rotationCheck();
    expect(clean.clean).toBe(true);
    expect(clean.checkedSecrets).toBeGreaterThanOrEqual(2);

    const rotated = await cxda.rotateKey();
    const check = await cxda.rotationCheck();
    expect(check.clean).toBe(false);
    expect(check.activeKeyId).toBe(rotated.activeKeyId);
    expect(check.stale).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          scope: "action",
          actionName: "wf_rot_a",
          name: "apiKey",
          keyId: rotated.previousKeyId,
        }),
        expect.objectContaining({ scope: "global", name: "shared", keyId: rotated.previousKeyId }),
      ]),
    );
    const one = await cxda.rotationCheck("wf_rot_a");
    expect(one.stale.map((s) => s.name)).toEqual(["apiKey"]);
    expect(one.checkedActions).toBe(1);

    const re = await cxda.reencrypt("wf_rot_a");
    expect(re.reencrypted).toEqual(["apiKey"]);
    expect(re.activeKeyId).toBe(rotated.activeKeyId);
    expect((await cxda.rotationCheck("wf_rot_a")).clean).toBe(true);
    await cxda.reencryptGlobalVariables();
    const all = await cxda.rotationCheck();
    expect(all.stale.filter((s) => s.actionName === "wf_rot_a" || s.scope === "global")).toEqual([]);
    await cxda.close();
  });
});

describe("global variables under concurrent writers", () => {
  it("8 concurrent upserts each add their own global variable; none is lost, none fails", async () => {
    const cxda = sdk();
    await cxda.globalVariables.set([{ name: "base", type: "string", value: "b" }]);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        cxda.globalVariables.upsert([{ name: `g${i}`, type: "integer", value: String(i) }]),
      ),
    );
    const names = (await cxda.globalVariables.get()).variables.map((v) => v.name).sort();
    expect(names).toEqual(["base", ...Array.from({ length: 8 }, (_, i) => `g${i}`)].sort());
    // Each result counts the set it wrote: everything it read plus its own variable.
    for (const [i, r] of results.entries()) expect(r.variables.map((v) => v.name)).toContain(`g${i}`);
    await cxda.close();
  });
});
