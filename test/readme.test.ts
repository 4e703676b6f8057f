/**
 * The README runs from top to bottom: every ```sh / ```bash block, in order, in one shell, in a fresh
 * directory holding a copy of examples/, with `cxda` (and `npx cxda`) the built CLI and an in-process
 * emulator in place of `cxda emulator start` (its URL replaces http://127.0.0.1:8787). A block that
 * cannot run here is preceded by `<!-- readme-test: skip — reason -->`; each is reported as a skipped
 * test with its reason, so a skip is visible, never silent.
 */
import { spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, UNTHROTTLED } from "./emulator/helpers.js";
import { CLI, scratchDir } from "./helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "..");
const SKIP = /^<!-- readme-test: skip — (.+) -->$/;

interface Block {
  line: number;
  code: string;
  skip?: string;
}

function shellBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    const skip = SKIP.exec(lines[start - 1] ?? "")?.[1];
    blocks.push({ line: start + 1, code: body.join("\n"), ...(skip ? { skip } : {}) });
  }
  return blocks;
}

const blocks = shellBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
let emulator: Awaited<ReturnType<typeof startTestEmulator>>;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
});
afterAll(() => emulator.close());

describe("README.md", () => {
  it("has shell blocks to run, and skips only with a reason", () => {
    expect(blocks.filter((b) => !b.skip).length).toBeGreaterThanOrEqual(4);
    const markers = readFileSync(join(ROOT, "README.md"), "utf8").match(/readme-test:/g) ?? [];
    expect(markers.length, "every marker sits right above a shell block").toBe(
      blocks.filter((b) => b.skip).length,
    );
  });

  for (const block of blocks.filter((b) => b.skip))
    it.skip(`line ${block.line} is not run: ${block.skip}`, () => {});

  it("runs every other shell block, top to bottom, against an emulator", async () => {
    const dir = scratchDir();
    cpSync(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
    const bin = join(dir, ".bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "cxda"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    writeFileSync(
      join(bin, "npx"),
      `#!/bin/sh\nif [ "$1" = cxda ]; then shift; exec cxda "$@"; fi\necho "npx $1: not available in the README test" >&2; exit 127\n`,
    );
    chmodSync(join(bin, "cxda"), 0o755);
    chmodSync(join(bin, "npx"), 0o755);
    const parts = blocks
      .filter((b) => !b.skip)
      .map(
        (b) =>
          `echo "=== README.md line ${b.line}" >&2\n${b.code.replaceAll("http://127.0.0.1:8787", emulator.url)}\n`,
      );
    writeFileSync(join(dir, "readme.sh"), `set -eu\n${parts.join("\n")}\necho "=== done" >&2\n`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith("CXDA_")) env[k] = v;
    Object.assign(env, {
      PATH: `${bin}:${process.env.PATH}`,
      CXDA_BASE_URL: emulator.url,
      XDG_CONFIG_HOME: join(dir, ".config"),
      NO_COLOR: "1",
    });
    // Asynchronously: the emulator answering the blocks runs in this process.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn("bash", ["readme.sh"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      child.on("close", (status) => done({ status, stdout, stderr }));
    });
    const failedAt = run.stderr.match(/=== README\.md line (\d+)(?![\s\S]*=== README)/)?.[1];
    expect(
      run.status,
      `README block at line ${failedAt} failed:\n${run.stderr.slice(-3000)}\n${run.stdout.slice(-2000)}`,
    ).toBe(0);
    expect(run.stderr).toContain("=== done");
  }, 180_000);
});
