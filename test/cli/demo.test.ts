import { describe, expect, it } from "vitest";
import { json, runCxda } from "../helpers/cli.js";

// What `npm start` runs: it must work on a fresh machine, print a readable report, and leak nothing.
describe("cxda demo", () => {
  it("runs every section against an embedded emulator and prints the report without secrets", async () => {
    const result = await runCxda(["demo"], { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    for (const heading of [
      "▸ Connect",
      "▸ Create actions",
      "▸ Request headers",
      "▸ Variables",
      "▸ Environments",
      "▸ Date/time",
      "▸ Audit trail",
    ]) {
      expect(result.stdout).toContain(heading);
    }
    expect(result.stdout).toMatch(
      /(\d+) webhook events received, \1 with a valid Standard Webhooks signature/,
    );
    // The environments section promotes staging into prod, masked key included, and the drift goes to zero.
    expect(result.stdout).toMatch(/drift staging → prod before promotion: [1-9]\d* differences/);
    expect(result.stdout).toContain(
      "promote staging → prod: API_KEY (masked: copied sealed, never read), REGION, TIMEOUT_MS",
    );
    expect(result.stdout).toContain("drift staging → prod after promotion: 0 differences");
    // Fits in 100 columns (ANSI stripped; NO_COLOR is set anyway).
    const lines = result.stdout.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(100);
    // Its "refused on purpose" count is the number of ✘ lines.
    const refused = Number(/(\d+) refused on purpose/.exec(result.stdout)?.[1]);
    const crosses = lines.filter((l) => /^\s*✘ /.test(l)).length;
    expect(crosses).toBeGreaterThan(0);
    expect(refused).toBe(crosses);
    // Drift the demo detects on purpose is a ≠ line, counted apart: a detection is not a refusal.
    const detected = Number(/(\d+) drifts? detected \(the ≠ lines\)/.exec(result.stdout)?.[1]);
    expect(detected).toBe(lines.filter((l) => /^\s*≠ /.test(l)).length);
    expect(lines.some((l) => /^\s*≠ plan catches the drift: /.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*✘ .*drift/.test(l))).toBe(false);
    // Jargon is explained on first use, in a short phrase (wrapped lines joined back).
    const flat = result.stdout.replace(/\n {2,}/g, " ");
    expect(flat).toMatch(/ETag "\d+" \(the version tag a write must match/);
    expect(flat).toMatch(/fingerprint hmac-sha256:\S+ \(a keyed hash/);
    expect(flat).toMatch(/\(buildOnChange: the environment rebuilds on every change\)/);
    // A refused script says what its error was.
    expect(flat).toMatch(/✘ broken_script refused before sending: line 2, column \d+: .*syntax error/);
    // The audit trail ends as counts per operation and outcome, not raw lines.
    expect(result.stdout).toMatch(/^ {4}actions\.create +\d+ success, \d+ failure$/m);
    expect(result.stdout).not.toMatch(/^\s+\d{4}-\d\d-\d\dT\S+Z +actions\./m);
    const output = result.stdout + result.stderr;
    for (const secret of ["cxda-demo-secret", "sk_live_demo", "whsec_", "Bearer ey"])
      expect(output).not.toContain(secret);
  }, 180_000);

  it("answers --json with the run's figures", async () => {
    const result = await runCxda(["demo", "--json"], { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = json(result) as {
      schemaVersion: number;
      ok: boolean;
      webhookEvents: { received: number; verified: number };
      auditLines: number;
    };
    expect(summary.schemaVersion).toBe(1);
    expect(summary.ok).toBe(true);
    expect(summary.webhookEvents.received).toBeGreaterThan(0);
    expect(summary.webhookEvents.verified).toBe(summary.webhookEvents.received);
    expect(summary.auditLines).toBeGreaterThan(summary.webhookEvents.received / 2);
  }, 180_000);
});
