import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Emulator, useTestEmulator } from "../emulator/helpers.js";
import { json, runCxda, scratchDir } from "../helpers/cli.js";

let emulator: Emulator;
useTestEmulator(
  {},
  (running) => {
    emulator = running.emulator;
  },
  { resetEach: false },
);

const line = (over: Record<string, unknown>) =>
  JSON.stringify({
    timestamp: "2026-11-01T10:00:00.000Z",
    actor: "cxda-demo",
    operation: "actions.delete",
    target: { name: "a" },
    outcome: "success",
    status: 204,
    latencyMs: 5,
    ...over,
  });

describe("cxda audit", () => {
  it("with no log, says where it looked and how to point to one; --since help lists the relative forms", async () => {
    const cwd = scratchDir();
    const none = await runCxda(["audit"], { cwd });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain(`no audit log at ${join(cwd, "cxda-audit.jsonl")}`);
    expect(none.stderr).toContain("--audit-log FILE or CXDA_AUDIT_LOG=FILE");
    const asJson = json(await runCxda(["audit", "--json", "--file", "elsewhere.jsonl"], { cwd }));
    expect(asJson.count).toBe(0);
    expect(JSON.stringify(asJson.problems)).toContain("(from --file)");
    const help = await runCxda(["audit", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("(30s, 15m, 1h, 2d, 1w)");
  });

  it("filters records and reports a corrupt line and a torn last line by number, reading the rest", async () => {
    const dir = scratchDir();
    const file = join(dir, "audit.jsonl");
    writeFileSync(
      file,
      [
        line({}),
        "{not json",
        line({ outcome: "failure", status: 409, problem: "has-dependents", target: { name: "b" } }),
        line({ operation: "headers.set", timestamp: "2026-11-02T10:00:00.000Z", target: { name: "c" } }),
        '{"timestamp":"2026-11-03T1',
      ].join("\n"),
    );
    const all = await runCxda(["audit", "--file", file, "--json"], { cwd: dir });
    expect(all.code).toBe(0);
    const body = json(all);
    expect((body.records as unknown[]).length).toBe(3);
    const problems = body.problems as { line: number }[];
    expect(problems.map((p) => p.line)).toEqual([2, 5]);

    const failures = await runCxda(["audit", "--file", file, "--outcome", "failure", "--json"], { cwd: dir });
    expect((json(failures).records as { target: { name: string } }[]).map((r) => r.target.name)).toEqual([
      "b",
    ]);
    const since = await runCxda(["audit", "--file", file, "--since", "2026-11-02T00:00:00Z", "--json"], {
      cwd: dir,
    });
    expect((json(since).records as { operation: string }[]).map((r) => r.operation)).toEqual(["headers.set"]);
    const byTarget = await runCxda(["audit", "--file", file, "--target", "c", "--json"], { cwd: dir });
    expect((json(byTarget).records as unknown[]).length).toBe(1);

    const table = await runCxda(["audit", "--file", file], { cwd: dir });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("has-dependents");
    expect(table.stderr).toMatch(/audit\.jsonl:2:/);
    expect(table.stderr).toMatch(/audit\.jsonl:5:/);

    const badSince = await runCxda(["audit", "--file", file, "--since", "yesterday-ish"], { cwd: dir });
    expect(badSince.code).toBe(65);
    const badOutcome = await runCxda(["audit", "--file", file, "--outcome", "maybe"], { cwd: dir });
    expect(badOutcome.code).toBe(64);
  });
});

describe("--verbose", () => {
  it("traces requests and responses on stderr with credentials redacted", async () => {
    const secret = "verbose-secret-5c1f9a7e";
    const result = await runCxda(["actions", "list", "--verbose", "--base-url", emulator.url], {
      env: { CXDA_CLIENT_ID: "cxda-demo", CXDA_CLIENT_SECRET: secret },
    });
    // The emulator refuses this secret; what matters is what the trace shows.
    expect(result.code).toBe(77);
    expect(result.stderr).toMatch(/→ (GET|POST) /);
    expect(result.stderr).toMatch(/← 401 POST/);
    expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toContain(Buffer.from(`cxda-demo:${secret}`).toString("base64"));

    const ok = await runCxda(["actions", "list", "--verbose", "--base-url", emulator.url]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/← 200 GET \/api\/v2\/dataactions/);
    expect(ok.stderr).toMatch(/authorization: \*\*\*/i);
    expect(ok.stderr).not.toContain("cxda-demo-secret");
  });
});
