/** Issue 15 item 4: who may reach the emulator, and what a network bind refuses. */
import { describe, expect, it } from "vitest";
import { defaultEmulatorConfig, parseEmulatorConfig } from "../../src/emulator/config.js";
import { decideExposure, isLoopbackAddress, isLoopbackHost } from "../../src/emulator/exposure.js";
import { startEmulator } from "../../src/emulator/server.js";
import { runCxda, scratchDir } from "../helpers/cli.js";

const own = parseEmulatorConfig({
  tenants: [{ id: "acme", clients: [{ id: "acme-ci", secret: "s3cret-acme" }] }],
});

describe("loopback peers and binds", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.3.4.5", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["10.0.0.8", false],
    ["::ffff:10.0.0.8", false],
    ["fe80::1", false],
    ["0.0.0.0", false],
  ])("peer %s is loopback: %s", (ip, loopback) => {
    expect(isLoopbackAddress(ip)).toBe(loopback);
  });

  it.each([
    ["127.0.0.1", true],
    ["localhost", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.4", false],
    ["my-host.example", false],
  ])("bind %s is loopback: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it("a loopback bind keeps the demo client and the test hooks", () => {
    expect(
      decideExposure({ host: "127.0.0.1", config: defaultEmulatorConfig(), configGiven: false }),
    ).toEqual({
      network: false,
      testHooks: true,
      warnings: [],
    });
  });

  it("a network bind with the built-in demo client is refused, saying why and what to do", () => {
    expect(() =>
      decideExposure({ host: "0.0.0.0", config: defaultEmulatorConfig(), configGiven: false }),
    ).toThrow(
      /^Refusing to listen on 0\.0\.0\.0: the built-in demo client \(cxda-demo, whose secret is published\) would give every scope to anyone who can reach this address\. Pass --config FILE with your own clients and secrets, or bind 127\.0\.0\.1\.$/,
    );
    const demoAgain = parseEmulatorConfig({
      tenants: [{ id: "t", clients: [{ id: "mine", secret: "cxda-demo-secret" }] }],
    });
    expect(() => decideExposure({ host: "::", config: demoAgain, configGiven: true })).toThrow(
      /the config's client "mine" uses the built-in demo client's id or published secret/,
    );
  });

  it("a network bind with configured clients starts with a warning and the test hooks off unless asked", () => {
    const off = decideExposure({ host: "0.0.0.0", config: own, configGiven: true });
    expect(off.testHooks).toBe(false);
    expect(off.warnings).toEqual([
      "the emulator listens on 0.0.0.0, reachable from the network: it is a test server, so serve it to trusted networks only; the /_emulator test hooks are off (--test-hooks turns them on for loopback clients).",
    ]);
    const on = decideExposure({ host: "0.0.0.0", config: own, configGiven: true, testHooks: true });
    expect(on.testHooks).toBe(true);
    expect(on.warnings[0]).toContain("test hooks are on (--test-hooks)");
  });

  it("startEmulator refuses before binding anything", async () => {
    await expect(startEmulator({ host: "0.0.0.0", port: 0, inMemory: true })).rejects.toThrow(
      /Refusing to listen/,
    );
  });

  it("cxda emulator start --host 0.0.0.0 without --config exits 65 and never listens", async () => {
    const result = await runCxda(["emulator", "start", "--host", "0.0.0.0", "--port", "0"], {
      cwd: scratchDir(),
    });
    expect(result.code).toBe(65);
    expect(result.stderr).toContain("Refusing to listen on 0.0.0.0");
    expect(result.stderr).toContain("Pass --config FILE");
    expect(result.stdout).not.toContain("listening");
  });
});
