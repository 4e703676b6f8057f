import { describe, expect, it } from "vitest";
import { isUnder, normaliseRequestTarget } from "../../src/emulator/request-path.js";
import { ENCODINGS } from "../helpers/encoded-paths.js";

describe("normaliseRequestTarget: the path the router matches", () => {
  it.each([
    ["/api/v2/dataactions?name=a%20b", "/api/v2/dataactions?name=a%20b"],
    ["/%5Femulator/reset", "/_emulator/reset"],
    ["/_emulato%72/faults", "/_emulator/faults"],
    ["/%61pi/v2/dataactions?x=%2F", "/api/v2/dataactions?x=%2F"],
    ["/zz/../_emulator/./reset", "/_emulator/reset"],
    ["/zz/%2e%2E/_emulator/reset", "/_emulator/reset"],
    ["//_emulator//reset", "/_emulator/reset"],
    ["/../../_emulator", "/_emulator"],
    ["/api/v2/dataactions/", "/api/v2/dataactions/"],
    ["/api/v2/..", "/api/"],
    ["http://127.0.0.1:9/%5Femulator/requests?a=1", "/_emulator/requests?a=1"],
    ["HTTP://example.test", "/"],
    // reserved and other escapes stay: %2F is data, never a separator; %25 is never decoded twice
    ["/_emulator%2Freset", "/_emulator%2Freset"],
    ["/%255Femulator/reset", "/%255Femulator/reset"],
    ["/api/v2/dataactions/a%2F..%2Fb", "/api/v2/dataactions/a%2F..%2Fb"],
    ["/.well-known/openid-configuration", "/.well-known/openid-configuration"],
    ["/x?next=/../y//z", "/x?next=/../y//z"],
    ["*", "*"],
    ["/bad%zz/../x", "/x"],
  ])("%s → %s", (target, normal) => {
    expect(normaliseRequestTarget(target)).toBe(normal);
  });

  it.each(["/_emulator/reset", "/api/v2/dataactions", "/oauth2/token"])(
    "every encoding of the test suite spells %s",
    (path) => {
      for (const [, encode] of ENCODINGS) {
        const target = encode(path, "http://127.0.0.1:1");
        expect(target).not.toBe(path);
        expect(normaliseRequestTarget(target)).toBe(path);
      }
    },
  );

  it("isUnder matches whole segments only", () => {
    expect(isUnder("/_emulator", "/_emulator")).toBe(true);
    expect(isUnder("/_emulator/reset", "/_emulator")).toBe(true);
    expect(isUnder("/_emulatorx/reset", "/_emulator")).toBe(false);
    expect(isUnder("/api/v2x", "/api/v2")).toBe(false);
  });
});
