/** A refused or missing credential names where it came from (issue 16), never the secret. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
useTestEmulator(
  {},
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

const WRONG = "wrong-Secret-4d1c9e77";

describe("credential errors", () => {
  it("401 invalid_client names the variables the id and secret came from (exit 77)", async () => {
    const r = await runCxda(["actions", "list", "--base-url", emulator.url], {
      env: { CXDA_CLIENT_ID: "cxda-demo", CXDA_CLIENT_SECRET: WRONG },
    });
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("invalid_client");
    expect(r.stderr).toContain("the client id 'cxda-demo' (from CXDA_CLIENT_ID)");
    expect(r.stderr).toContain("the client secret from CXDA_CLIENT_SECRET");
    expect(r.stdout + r.stderr).not.toContain(WRONG);
  });

  it("401 invalid_client names the profile and its file, and the flag", async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, ".config", "cxda"), { recursive: true });
    const file = join(dir, ".config", "cxda", "config.yaml");
    writeFileSync(file, `profiles:\n  ci:\n    clientSecret: ${WRONG}\n`);
    const r = await runCxda(
      ["--profile", "ci", "--client-id", "cxda-demo", "auth", "check", "--base-url", emulator.url],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("(from --client-id)");
    expect(r.stderr).toContain(`clientSecret of profile 'ci' in ${file}`);
    expect(r.stderr).toContain("cxda configure --profile ci");
    expect(r.stdout + r.stderr).not.toContain(WRONG);
  });

  it("a client id without a secret says where to set the secret", async () => {
    const r = await runCxda(["actions", "list", "--base-url", "https://tenant.example.com"], {
      env: { CXDA_CLIENT_ID: "ci" },
    });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("the client id is set (by CXDA_CLIENT_ID) but no client secret");
    expect(r.stderr).toContain("CXDA_CLIENT_SECRET or clientSecret of profile 'default'");
  });
});
