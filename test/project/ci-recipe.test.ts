/**
 * docs/ci.md's GitHub Actions workflow, run for real: every `run:` step of its jobs, in order, in bash
 * as the runner runs them (`bash --noprofile --norc -eo pipefail`), with `npx cxda` being the built CLI
 * and the tenant an in-process emulator. The page cannot drift from what cxda does.
 */
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { escapeData, escapeProperty, githubAnnotation } from "../../src/cli/ui/github-annotations.js";
import { api, type Emulator, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";
import { CLI, scratchDir } from "../helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DOC = readFileSync(join(ROOT, "docs/ci.md"), "utf8");

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  id?: string;
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[]; if?: string; needs?: string }>;
}

function workflow(): Workflow {
  const block = /```yaml\n([\s\S]*?)```/.exec(DOC);
  if (!block) throw new Error("docs/ci.md has no ```yaml block");
  return parseYaml(block[1]!) as Workflow;
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

/** The values the workflow's `env:` takes from repository variables and secrets. */
function settings(): Record<string, string> {
  return {
    CXDA_BASE_URL: emulator.url,
    CXDA_CLIENT_ID: "cxda-demo",
    CXDA_CLIENT_SECRET: "cxda-demo-secret",
    CRM_API_TOKEN: "crm-token-0123456789",
    CRM_API_KEY: "crm-key-0123456789",
    QUEUE_API_SECRET: "queue-secret-0123456789",
    NO_COLOR: "1",
  };
}

/** A checkout of a repository holding examples/contact-center as its project, and `npx` → the built CLI. */
function checkout(): { repo: string; bin: string } {
  const repo = scratchDir();
  cpSync(join(ROOT, "examples/contact-center"), repo, { recursive: true });
  const bin = join(repo, ".bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "npx"),
    `#!/bin/sh\nif [ "$1" = cxda ]; then shift; exec "${process.execPath}" "${CLI}" "$@"; fi\necho "npx $*: not in this test" >&2\nexit 127\n`,
  );
  chmodSync(join(bin, "npx"), 0o755);
  return { repo, bin };
}

interface StepResult {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
}

function runStep(
  script: string,
  repo: string,
  bin: string,
  outputFile: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
  Object.assign(env, settings(), {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    GITHUB_OUTPUT: outputFile,
    XDG_CONFIG_HOME: join(repo, ".config"),
  });
  return new Promise((done, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd: repo,
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs one job's `run:` steps in order (not `npm ci`: the CLI is already built); stops at a failing one. */
async function runJob(
  job: string,
  repo: string,
  bin: string,
): Promise<{ steps: StepResult[]; outputs: Record<string, string> }> {
  const outputFile = join(repo, `.github-output-${job}`);
  writeFileSync(outputFile, "");
  const steps: StepResult[] = [];
  for (const step of workflow().jobs[job]!.steps) {
    if (step.run === undefined || step.run.trim() === "npm ci") continue;
    const result = await runStep(step.run, repo, bin, outputFile);
    steps.push({ name: step.name ?? step.run, ...result });
    if (result.code !== 0) break;
  }
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return { steps, outputs };
}

describe("docs/ci.md workflow", () => {
  it("names the commands in the recipe's order, and every env it needs is one the test provides", () => {
    const flow = workflow();
    const runs = Object.values(flow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
    const cxda = runs
      .flatMap((r) => r.split("\n").filter((l) => l.includes("npx cxda")))
      .map((l) => l.trim());
    expect(cxda).toEqual([
      "npx cxda validate --format github",
      "npx cxda plan --detailed-exitcode --format github --out plan.json",
      "npx cxda apply --plan plan.json --audit-log cxda-audit.jsonl",
    ]);
    expect(Object.keys(flow.env).sort()).toEqual(Object.keys(settings()).sort());
    expect(flow.jobs.apply!.if).toMatch(/refs\/heads\/main/);
    expect(flow.jobs.apply!.if).toMatch(/needs\.plan\.outputs\.changes == 'true'/);
  });

  it("validate → plan (changes) → apply the saved plan on main → plan again (no changes)", async () => {
    await api(emulator, "POST", "/_emulator/reset");
    const { repo, bin } = checkout();

    const first = await runJob("plan", repo, bin);
    expect(first.steps.map((s) => [s.name, s.code])).toEqual([
      ["Validate", 0],
      ["Plan", 0],
    ]);
    expect(first.outputs.changes).toBe("true");
    const plan = first.steps[1]!;
    expect(plan.stdout).toMatch(
      /^::notice title=cxda plan cxda\.yaml::15 to create, 0 to update, 0 to delete$/m,
    );
    expect(plan.stdout).not.toContain("::error");
    expect(existsSync(join(repo, "plan.json"))).toBe(true);
    for (const secret of Object.values(settings()).filter((v) => v.includes("0123456789")))
      expect(readFileSync(join(repo, "plan.json"), "utf8")).not.toContain(secret);

    // The apply job's condition holds on a push to main with changes; its run: steps, in order.
    const applied = await runJob("apply", repo, bin);
    expect(applied.steps.map((s) => [s.name, s.code])).toEqual([["Apply the reviewed plan", 0]]);
    // One changeset: one audit line with the deployment it recorded.
    expect(readFileSync(join(repo, "cxda-audit.jsonl"), "utf8")).toMatch(
      /"operation":"project\.apply".*"deploymentId":"[^"]+"/,
    );

    const again = await runJob("plan", repo, bin);
    expect(again.steps.map((s) => s.code)).toEqual([0, 0]);
    expect(again.outputs.changes).toBe("false");
    expect(again.steps[1]!.stdout).toMatch(/^::notice title=cxda plan cxda\.yaml::no changes/m);
  }, 120_000);

  it("an invalid cxda.yaml fails the Validate step with an annotation at the line", async () => {
    const { repo, bin } = checkout();
    const file = join(repo, "cxda.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("dependencies: [normalize_phone]", "dependencies: [no_such_action]"),
    );
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("no_such_action")) + 1;
    expect(line).toBeGreaterThan(0);
    const run = await runJob("plan", repo, bin);
    expect(run.steps.map((s) => [s.name, s.code])).toEqual([["Validate", 65]]);
    expect(run.steps[0]!.stdout).toMatch(
      new RegExp(
        `^::error file=cxda\\.yaml,line=${line},col=\\d+,title=cxda%3A unknown-dependency::.*no_such_action`,
        "m",
      ),
    );
  }, 60_000);

  it("a tenant that refuses the credentials fails the Plan step with an unplaced annotation", async () => {
    const { repo, bin } = checkout();
    const outputFile = join(repo, ".out");
    writeFileSync(outputFile, "");
    const step = workflow().jobs.plan!.steps.find((s) => s.id === "plan")!;
    const result = await runStep(
      step.run!.replaceAll("npx cxda plan", "CXDA_CLIENT_SECRET=wrong npx cxda plan"),
      repo,
      bin,
      outputFile,
    );
    expect(result.code).toBe(77);
    expect(result.stdout).toMatch(/^::error title=cxda plan::/m);
    expect(readFileSync(outputFile, "utf8")).toBe("changes=false\n");
  }, 60_000);
});

describe("GitHub annotation escaping", () => {
  it("escapes %, CR and LF in data, and also : and , in properties", () => {
    expect(escapeData("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext: a,b");
    expect(escapeProperty("C:\\dir,x%\n")).toBe("C%3A\\dir%2Cx%25%0A");
    expect(
      githubAnnotation("error", "line one\nline two: 50%", {
        file: "a,b:c.yaml",
        line: 3,
        col: 7,
        title: "cxda: x",
      }),
    ).toBe("::error file=a%2Cb%3Ac.yaml,line=3,col=7,title=cxda%3A x::line one%0Aline two: 50%25");
    expect(githubAnnotation("notice", "plain")).toBe("::notice::plain");
  });
});
