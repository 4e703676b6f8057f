import { describe, expect, it } from "vitest";
import {
  isCredentialHeader,
  isCredentialHeaderName,
  isHighEntropyToken,
} from "../../src/domain/credential-header.js";
import { HEADER_TABLE } from "./credential-header-table.js";

describe("isCredentialHeader", () => {
  it.each(HEADER_TABLE)("$name: $value → $credential ($why)", ({ name, value, credential }) => {
    expect(isCredentialHeader(name, value)).toBe(credential);
  });

  it("decides by name alone when no value is given", () => {
    expect(isCredentialHeader("X-Session-Key")).toBe(true);
    expect(isCredentialHeader("X-Upstream-Creds")).toBe(false);
    expect(isCredentialHeader("X-Upstream-Creds", null)).toBe(false);
    expect(isCredentialHeader("X-Upstream-Creds", "")).toBe(false);
  });

  it.each(["Idempotency-Key", "Content-Type", "Keep-Alive", "X-Signal", "X-Design"])(
    "the name %s alone is not a credential",
    (name) => {
      expect(isCredentialHeaderName(name)).toBe(false);
    },
  );
});

describe("isHighEntropyToken", () => {
  it.each([
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", true],
    ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true],
    ["123e4567-e89b-12d3-a456-426614174000", true],
    ["dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IDEyMzQ=", true],
    ["lead-lookup-service-v2", false],
    ["cxda-sdk/0.1.0+node-20.19.1-linux-x64", false],
    ["my-service.prod-eu-2.internal", false],
    ["eu-west-1-production-cluster-07", false],
    ["application/vnd.api+json", false],
    ["short1A", false],
    ["a b c d e f g h i j k l m n 1 2 3", false],
  ])("%s → %s", (value, expected) => {
    expect(isHighEntropyToken(value)).toBe(expected);
  });
});
