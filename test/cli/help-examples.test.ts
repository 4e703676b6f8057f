/**
 * Every example a --help shows parses (issue 16, bug 9): each `cxda …` of it goes through the program's
 * own parser (flags, values, the zod declarations) without running, and the values the domain rules
 * check offline (action names, JSON input) pass them.
 */
import { Writable } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, runCli } from "../../src/cli/program.js";
import { actionNameProblem } from "../../src/domain/action-rules.js";

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

function leaves(command: Command, path: string[] = []): string[][] {
  if (command.commands.length === 0) return [path];
  return command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

/** The words of a shell line, quotes removed; `&&`, `|`, `;`, `<` and `>` are words of their own. */
function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /'([^']*)'|"((?:\\.|[^"\\])*)"|(&&|\|\||[|;<>])|([^\s'"|;<>&]+)/g;
  let current: string | undefined;
  let last = 0;
  for (const m of line.matchAll(pattern)) {
    const glued = m.index === last && current !== undefined;
    last = m.index + m[0].length;
    if (m[3] !== undefined) {
      if (current !== undefined) out.push(current);
      out.push(m[3]);
      current = undefined;
      continue;
    }
    const piece = m[1] ?? m[2]?.replace(/\\(.)/g, "$1") ?? m[4] ?? "";
    if (glued) current += piece;
    else {
      if (current !== undefined) out.push(current);
      current = piece;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** The `cxda …` command lines of an example (`cxda plan --out p.json && cxda apply --plan p.json` has two). */
function cxdaLines(example: string): string[][] {
  const lines: string[][] = [];
  let current: string[] = [];
  for (const word of [...words(example), ";"]) {
    if (["&&", "||", "|", ";", ">", "<"].includes(word)) {
      if (current[0] === "cxda") lines.push(current.slice(1));
      current = word === ">" || word === "<" ? ["(redirect)"] : [];
    } else current.push(word);
  }
  return lines;
}

async function help(argv: string[]): Promise<string> {
  const out = sink();
  await runCli([...argv, "--help"], { exit: () => {}, stdout: out.stream, stderr: sink().stream, env: {} });
  return out.text();
}

function examplesOf(helpText: string): string[] {
  const at = helpText.indexOf("\nExamples:\n");
  if (at < 0) return [];
  return helpText
    .slice(at)
    .split("\n")
    .filter((l) => l.startsWith("  $ "))
    .map((l) => l.slice(4));
}

/** What the offline domain rules say about the parsed values (names, JSON input). */
function domainProblems(options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const names = [
    ...(typeof options.name === "string" ? [options.name] : []),
    ...(typeof options.dependsOn === "string" ? options.dependsOn.split(",").map((n) => n.trim()) : []),
  ];
  for (const name of names) {
    const problem = actionNameProblem(name);
    if (problem) problems.push(`name ${JSON.stringify(name)} ${problem}`);
  }
  for (const key of ["testInput", "input"]) {
    const value = options[key];
    if (typeof value !== "string" || value.startsWith("@")) continue;
    try {
      JSON.parse(value);
    } catch {
      problems.push(`--${key}: not JSON`);
    }
  }
  return problems;
}

describe("help examples", async () => {
  const paths = [[], ...leaves(await buildProgram({ exit: () => {} }))];
  const cases: [string, string][] = [];
  for (const path of paths)
    for (const example of examplesOf(await help(path))) cases.push([path.join(" "), example]);

  it("there are examples to check", () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases)("%s: %s", async (_command, example) => {
    for (const argv of cxdaLines(example)) {
      let parsed: { options: Record<string, unknown> } | undefined;
      const err = sink();
      let code = -1;
      await runCli(argv, {
        exit: (c) => (code = c),
        stdout: sink().stream,
        stderr: err.stream,
        env: {},
        parseOnly: (input) => {
          parsed = input as { options: Record<string, unknown> };
        },
      });
      expect(code, `${argv.join(" ")}\n${err.text()}`).toBe(0);
      if (argv.includes("--help") || argv.includes("--version") || argv.includes("-V")) continue;
      expect(parsed, argv.join(" ")).toBeDefined();
      expect(domainProblems(parsed!.options), argv.join(" ")).toEqual([]);
    }
  });

  it("catches a bad example (the checker can fail)", () => {
    expect(domainProblems({ name: "x" })).toEqual([expect.stringContaining("the minimum is 3")]);
    expect(cxdaLines("cxda plan --out plan.json && cxda apply --plan plan.json")).toEqual([
      ["plan", "--out", "plan.json"],
      ["apply", "--plan", "plan.json"],
    ]);
    expect(words(`cxda x --input '{"a": 1}' --b "c d"`)).toEqual([
      "cxda",
      "x",
      "--input",
      '{"a": 1}',
      "--b",
      "c d",
    ]);
  });
});
