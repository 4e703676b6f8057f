/**
 * The contract check that every test's emulator responses pass (test/setup/contract-check.ts): it is
 * switched on, it sees real responses, and it reports each kind of mismatch.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ResponseExchange, responseObservers } from "../../src/emulator/response-observers.js";
import { ContractChecker } from "../helpers/contract-checker.js";
import { api, type Emulator, getToken, scriptAction, startTestEmulator } from "./helpers.js";

const checker = new ContractChecker(
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../docs/openapi.json"), "utf8")),
);

let emulator: Emulator;
let token: string;
const seen: ResponseExchange[] = [];
const record = (exchange: ResponseExchange) => seen.push(exchange);
beforeAll(async () => {
  emulator = await startTestEmulator();
  token = await getToken(emulator);
  responseObservers.add(record);
});
afterAll(async () => {
  responseObservers.delete(record);
  await emulator?.close();
});

/** A real response of the emulator, as the observers saw it. */
async function exchange(method: string, path: string, body?: unknown): Promise<ResponseExchange> {
  seen.length = 0;
  await api(emulator, method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

describe("the contract check", () => {
  it("is registered for every test file", () => {
    // This file's own observer plus the one of test/setup/contract-check.ts.
    expect(responseObservers.size).toBeGreaterThanOrEqual(2);
  });

  it("passes real answers, success and problem alike", async () => {
    const created = await exchange("POST", "/api/v2/dataactions", scriptAction("contract_ok"));
    expect(created.status).toBe(201);
    expect(checker.check(created)).toEqual([]);
    const missing = await exchange("GET", "/api/v2/dataactions/nope");
    expect(missing.status).toBe(404);
    expect(checker.check(missing)).toEqual([]);
    const bad = await exchange("POST", "/api/v2/dataactions", { name: "x" });
    expect(bad.status).toBe(400);
    expect(checker.check(bad)).toEqual([]);
  });

  it("reports a body that breaks the schema", async () => {
    const real = await exchange("POST", "/api/v2/dataactions", scriptAction("contract_body"));
    const body = JSON.parse(real.body!);
    delete body.version;
    expect(checker.check({ ...real, body: JSON.stringify(body) }).join("\n")).toMatch(/version/);
  });

  it("reports an undeclared status", async () => {
    const real = await exchange("GET", "/api/v2/environments");
    expect(checker.check({ ...real, status: 418 }).join("\n")).toMatch(/status 418 is not declared/);
  });

  it("reports a missing required header, a malformed one and an undeclared contract header", async () => {
    const real = await exchange("POST", "/api/v2/dataactions", scriptAction("contract_headers"));
    const { location: _location, ...withoutLocation } = real.headers;
    expect(checker.check({ ...real, headers: withoutLocation }).join("\n")).toMatch(
      /required header Location is missing/,
    );
    expect(checker.check({ ...real, headers: { ...real.headers, etag: "W/1" } }).join("\n")).toMatch(
      /header ETag/,
    );
    const list = await exchange("GET", "/api/v2/environments");
    expect(checker.check({ ...list, headers: { ...list.headers, etag: '"1"' } }).join("\n")).toMatch(
      /etag is sent but not declared/,
    );
  });

  it("reports a problem slug the operation does not declare, and the wrong media type", async () => {
    const real = await exchange("GET", "/api/v2/dataactions/nope");
    const body = JSON.parse(real.body!);
    const renamed = { ...body, type: "urn:cxda:problem:name-conflict", title: "Name conflict" };
    expect(checker.check({ ...real, body: JSON.stringify(renamed) })).not.toEqual([]);
    expect(
      checker.check({ ...real, headers: { ...real.headers, "content-type": "application/json" } }).join("\n"),
    ).toMatch(/Content-Type application\/json is not one of application\/problem\+json/);
  });

  it("reports a route the document does not describe", () => {
    const violations = checker.check({
      method: "GET",
      path: "/api/v2/undocumented",
      route: "/api/v2/undocumented",
      status: 200,
      headers: { "x-request-id": "r", "content-type": "application/json" },
      body: "{}",
      faulted: false,
    });
    expect(violations.join("\n")).toMatch(/does not describe/);
  });
});
