/**
 * Every response of every test's in-process emulator is checked against docs/openapi.json (status,
 * headers, body; success and errors alike). A response that does not match fails the test that was
 * running when it was sent. Loaded for every test file by vitest.config.ts `setupFiles`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach } from "vitest";
import { responseObservers } from "../../src/emulator/response-observers.js";
import { ContractChecker } from "../helpers/contract-checker.js";

const DOCUMENT = resolve(import.meta.dirname, "../../docs/openapi.json");

let checker: ContractChecker | undefined;
const violations: string[] = [];

responseObservers.add((exchange) => {
  checker ??= new ContractChecker(JSON.parse(readFileSync(DOCUMENT, "utf8")));
  violations.push(...checker.check(exchange));
});

afterEach(() => {
  const found = violations.splice(0);
  if (found.length > 0)
    throw new Error(
      `The emulator answered outside its OpenAPI document (docs/openapi.json):\n${[...new Set(found)].slice(0, 20).join("\n")}`,
    );
});
