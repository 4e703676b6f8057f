import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { credentialRefusal, requireCredentials, resolveSettings } from "../../src/cli/settings.js";
import { ValidationError } from "../../src/errors.js";

function profileHome(yaml: string): string {
  const home = mkdtempSync(join(tmpdir(), "cxda-settings-"));
  mkdirSync(join(home, "cxda"));
  writeFileSync(join(home, "cxda", "config.yaml"), yaml);
  return home;
}

const PROFILES = `profiles:
  default:
    baseUrl: https://profile.example.com
    clientId: profile-client
    clientSecret: profile-secret
    auditLog: /tmp/profile-audit.jsonl
  staging:
    baseUrl: https://staging.example.com
    clientId: staging-client
    clientSecret: staging-secret
`;

describe("resolveSettings: flags ▸ environment ▸ profile", () => {
  it("takes the profile when nothing else is set", () => {
    const s = resolveSettings({}, { XDG_CONFIG_HOME: profileHome(PROFILES) });
    expect(s).toMatchObject({
      baseUrl: "https://profile.example.com",
      clientId: "profile-client",
      clientSecret: "profile-secret",
      auditLog: "/tmp/profile-audit.jsonl",
      demoCredentials: false,
    });
  });

  it("lets the environment override the profile, and flags override both", () => {
    const env = {
      XDG_CONFIG_HOME: profileHome(PROFILES),
      CXDA_BASE_URL: "https://env.example.com",
      CXDA_CLIENT_ID: "env-client",
      CXDA_AUDIT_LOG: "/tmp/env-audit.jsonl",
    };
    expect(resolveSettings({}, env)).toMatchObject({
      baseUrl: "https://env.example.com",
      clientId: "env-client",
      clientSecret: "profile-secret",
      auditLog: "/tmp/env-audit.jsonl",
    });
    expect(
      resolveSettings(
        { baseUrl: "https://flag.example.com/", clientId: "flag-client", auditLog: "/tmp/flag.jsonl" },
        env,
      ),
    ).toMatchObject({
      baseUrl: "https://flag.example.com",
      clientId: "flag-client",
      auditLog: "/tmp/flag.jsonl",
    });
  });

  it("selects a profile by flag or CXDA_PROFILE, and refuses an unknown one naming the known ones", () => {
    const home = profileHome(PROFILES);
    expect(resolveSettings({}, { XDG_CONFIG_HOME: home, CXDA_PROFILE: "staging" }).clientId).toBe(
      "staging-client",
    );
    expect(
      resolveSettings({ profile: "staging" }, { XDG_CONFIG_HOME: home, CXDA_PROFILE: "default" }).clientId,
    ).toBe("staging-client");
    expect(() => resolveSettings({ profile: "prod" }, { XDG_CONFIG_HOME: home })).toThrow(/default, staging/);
  });

  it("uses the demo client only for a loopback URL with no credentials configured", () => {
    const empty = mkdtempSync(join(tmpdir(), "cxda-settings-"));
    expect(resolveSettings({}, { XDG_CONFIG_HOME: empty })).toMatchObject({
      baseUrl: "http://127.0.0.1:8787",
      clientId: "cxda-demo",
      demoCredentials: true,
    });
    const remote = resolveSettings({ baseUrl: "https://tenant.example.com" }, { XDG_CONFIG_HOME: empty });
    expect(remote).toMatchObject({ clientId: "", demoCredentials: false });
  });

  it("refuses a malformed base URL and a broken profile file with the field named", () => {
    const empty = mkdtempSync(join(tmpdir(), "cxda-settings-"));
    expect(() => resolveSettings({ baseUrl: "not a url" }, { XDG_CONFIG_HOME: empty })).toThrow(
      ValidationError,
    );
    const broken = profileHome("profiles:\n  default:\n    clientId: x\n    colour: blue\n");
    expect(() => resolveSettings({}, { XDG_CONFIG_HOME: broken })).toThrow(/profiles\.default/);
  });
});

describe("credential errors name their source", () => {
  const home = profileHome(PROFILES);
  const remote = { baseUrl: "https://tenant.example.com" };

  it("records where each credential came from: flag, variable, profile and file", () => {
    const s = resolveSettings(
      { clientId: "flag-client" },
      { XDG_CONFIG_HOME: home, CXDA_ACCESS_KEY_ID: "AK1", CXDA_ACCESS_KEY_SECRET: "ak-secret-value" },
    );
    expect(s.credentialSources).toEqual({
      clientId: "--client-id",
      clientSecret: `clientSecret of profile 'default' in ${join(home, "cxda", "config.yaml")}`,
      accessKeyId: "CXDA_ACCESS_KEY_ID",
      accessKeySecret: "CXDA_ACCESS_KEY_SECRET",
    });
    expect(
      resolveSettings({}, { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "cxda-settings-")) })
        .credentialSources.clientId,
    ).toMatch(/demo client/);
  });

  it("a missing secret names the variable, the profile and its file, and how to write one", () => {
    const empty = mkdtempSync(join(tmpdir(), "cxda-settings-"));
    const s = resolveSettings(remote, { XDG_CONFIG_HOME: empty, CXDA_CLIENT_ID: "ci" });
    expect(() => requireCredentials(s)).toThrow(
      `the client id is set (by CXDA_CLIENT_ID) but no client secret: set it by CXDA_CLIENT_SECRET or clientSecret of profile 'default' in ${join(empty, "cxda", "config.yaml")}`,
    );
    expect(() => requireCredentials(s)).toThrow("cxda configure --profile default");
    const none = resolveSettings(
      { ...remote, profile: "staging" },
      { XDG_CONFIG_HOME: home, CXDA_CLIENT_ID: "" },
    );
    expect(none.credentialSources.clientId).toBe(
      `clientId of profile 'staging' in ${join(home, "cxda", "config.yaml")}`,
    );
    const nothing = resolveSettings(remote, { XDG_CONFIG_HOME: empty });
    expect(() => requireCredentials(nothing)).toThrow(
      /no client credentials: .*--client-id, CXDA_CLIENT_ID or clientId of profile 'default'.*CXDA_CLIENT_SECRET or clientSecret/,
    );
    const halfKey = resolveSettings(remote, {
      XDG_CONFIG_HOME: home,
      CXDA_ACCESS_KEY_SECRET: "ak-secret-value",
    });
    expect(() => requireCredentials(halfKey)).toThrow(
      "the access key secret is set (by CXDA_ACCESS_KEY_SECRET) but no access key id: set it by CXDA_ACCESS_KEY_ID or accessKeyId",
    );
  });

  it("a refused client names the id and both sources, never the secret", () => {
    const s = resolveSettings({ clientId: "ci-bot" }, { XDG_CONFIG_HOME: home, CXDA_PROFILE: "staging" });
    const text = credentialRefusal(s, "invalid_client")!;
    expect(text).toContain("the client id 'ci-bot' (from --client-id)");
    expect(text).toContain(
      `the client secret from clientSecret of profile 'staging' in ${join(home, "cxda", "config.yaml")}`,
    );
    expect(text).not.toContain("staging-secret");
    expect(credentialRefusal(s, "invalid_scope")).toBeUndefined();
  });
});
