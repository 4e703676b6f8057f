/**
 * The command tree. `cxda --help` and `cxda --version` load nothing but commander and the top-level
 * index (`commands/index.ts`); the module declaring a command (with zod) is loaded only when that
 * command or its group is named, and its handler only when it runs.
 */
import { Command, CommanderError, Option } from "commander";
import type { BoundCommand, CommandInput, CommandNode, RunCommand } from "./command.js";
import { TOP_LEVEL, type TopLevelEntry } from "./commands/index.js";
import { ENV_VARS } from "./env-vars.js";
import { EXIT_CODE_MEANINGS } from "./exit-code-table.js";
import { VERSION } from "./version.js";

export interface ProgramIO {
  /** Called with the exit code when a command finishes (tests capture it; bin.ts sets process.exitCode). */
  exit(code: number): void;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Tests: parse and check the command line, hand over the parsed input, and run nothing. */
  parseOnly?: (input: CommandInput<unknown, unknown>, command: BoundCommand) => void;
}

function rootExamples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** The exit codes and environment variables, from their one source each (docs/cli.md shows the same). */
function rootReference(): string {
  const codes = Object.entries(EXIT_CODE_MEANINGS).map(
    ([code, meaning]) => `  ${code.padStart(2)}  ${meaning}`,
  );
  const vars = ENV_VARS.map((v) => `  ${v.names.join(", ")}\n      ${v.meaning}`);
  return `Exit codes:\n${codes.join("\n")}\n\nEnvironment variables:\n${vars.join("\n")}\n`;
}

/** The root command with its global flags and one unloaded stub per top-level command. */
function buildRoot(): Command {
  const program = new Command("cxda")
    .description(
      "Manage contact-center Data Actions as code: SDK, CLI and a local emulator of the Data Actions API",
    )
    .version(VERSION, "-V, --version")
    .option("--base-url <url>", "API base URL (env CXDA_BASE_URL; default http://127.0.0.1:8787)")
    .option(
      "--profile <name>",
      "profile in $XDG_CONFIG_HOME/cxda/config.yaml or CXDA_CONFIG (env CXDA_PROFILE; write one with cxda configure)",
    )
    .option("--client-id <id>", "OAuth client id (env CXDA_CLIENT_ID; the secret only from env or profile)")
    .option("--audit-log <path>", "audit log file (env CXDA_AUDIT_LOG; default ./cxda-audit.jsonl)")
    .option("--webhook-url <url>", "send signed events here (env CXDA_WEBHOOK_URL)")
    .option(
      "--webhook-secret <secret>",
      "webhook signing secret: whsec_<base64> or base64 of 24–64 bytes (env CXDA_WEBHOOK_SECRET)",
    )
    .option("--json", "machine-readable output with a schemaVersion (the same as --output json)")
    .addOption(
      new Option(
        "--output <format>",
        "json or yaml: the machine result; table: for people (default)",
      ).choices(["json", "yaml", "table"]),
    )
    .option("--jq <expr>", "filter the JSON result through a jq expression (strings printed raw)")
    .option("-v, --verbose", "trace HTTP requests, retries and pacing on stderr (secrets redacted)")
    .option("--no-color", "plain output (also NO_COLOR; FORCE_COLOR or CLICOLOR_FORCE force colour)")
    .addHelpText(
      "after",
      rootExamples([
        "cxda demo",
        "cxda emulator start --in-memory",
        "cxda actions list --json",
        "cxda audit --outcome failure",
      ]),
    )
    .addHelpText("after", rootReference());
  for (const entry of TOP_LEVEL) program.command(entry.name).description(entry.summary);
  return program;
}

function runner(io: ProgramIO): RunCommand {
  return (command, parse) =>
    async function (this: Command) {
      const { createContext } = await import("./context.js");
      const ctx = createContext(this.optsWithGlobals(), {
        ...(io.env ? { env: io.env } : {}),
        ...(io.stdout ? { stdout: io.stdout } : {}),
        ...(io.stderr ? { stderr: io.stderr } : {}),
        commandTree: () => buildProgram(io),
      });
      let code: number;
      try {
        const input = parse(this);
        if (io.parseOnly) {
          io.parseOnly(input, command);
          code = 0;
        } else {
          const { run } = await command.load();
          code = (await run(ctx, input as never)) ?? 0;
          await ctx.out.flush();
        }
      } catch (error) {
        ctx.out.unfiltered();
        const dryRun = ctx.flags.dryRun === true ? await import("./dry-run.js") : undefined;
        if (dryRun && error instanceof dryRun.DryRunStop) code = dryRun.reportDryRun(ctx, error);
        else {
          const { reportError } = await import("./report-error.js");
          code = reportError(ctx, error);
        }
      } finally {
        await ctx.close().catch(() => {});
      }
      io.exit(code);
    };
}

async function attach(program: Command, entries: readonly TopLevelEntry[], io: ProgramIO): Promise<void> {
  const { registerNode } = await import("./command.js");
  const nodes: [TopLevelEntry, CommandNode][] = await Promise.all(
    entries.map(async (e) => [e, await e.load()] as [TopLevelEntry, CommandNode]),
  );
  for (const [entry, node] of nodes) {
    const stub = program.commands.find((c) => c.name() === entry.name)!;
    registerNode(stub, node, runner(io));
  }
}

/** The whole tree, every module loaded (for tests and shell completion). */
export async function buildProgram(io: ProgramIO): Promise<Command> {
  const program = buildRoot();
  await attach(program, TOP_LEVEL, io);
  return program;
}

/** The top-level command a command line names (`cxda [global flags] <name> …`, `cxda help <name>`). */
function targetOf(program: Command, argv: readonly string[]): TopLevelEntry | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i]!;
    if (token === "--") return undefined;
    if (token.startsWith("-")) {
      if (token.includes("=")) continue;
      const option = program.options.find((o) => o.long === token || o.short === token);
      if (option && (option.required || option.optional)) i += 1;
      continue;
    }
    if (token === "help") continue;
    return TOP_LEVEL.find((e) => e.name === token);
  }
  return undefined;
}

/** `--json`, `--output json|yaml` or `--jq` before `--`: misuse is then reported as the JSON error too. */
function wantsMachineOutput(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i]!;
    if (token === "--") return false;
    if (token === "--json" || token === "--jq" || token.startsWith("--jq=")) return true;
    if (token === "--output" && (argv[i + 1] === "json" || argv[i + 1] === "yaml")) return true;
    if (token === "--output=json" || token === "--output=yaml") return true;
  }
  return false;
}

/** Every misuse: exit 64 with a one-line reason and the usage of the command at fault. */
export function configureUsageErrors(program: Command, io: ProgramIO, machine = false): void {
  const visit = (cmd: Command, prefix: string) => {
    const name = prefix ? `${prefix} ${cmd.name()}` : cmd.name();
    cmd.exitOverride();
    cmd.showHelpAfterError(`usage: ${name} ${cmd.usage()}\n(run '${name} --help' for options and examples)`);
    cmd.configureOutput({
      writeOut: (s) => (io.stdout ?? process.stdout).write(s),
      // Under --json the misuse is reported as the JSON error instead (runCli).
      writeErr: (s) => (machine ? true : (io.stderr ?? process.stderr).write(s)),
    });
    for (const sub of cmd.commands) visit(sub, name);
  };
  visit(program, "");
}

export async function runCli(argv: string[], io: ProgramIO): Promise<void> {
  const program = buildRoot();
  const target = targetOf(program, argv);
  if (target) await attach(program, [target], io);
  const machine = wantsMachineOutput(argv);
  configureUsageErrors(program, io, machine);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // `--help`, `help [command]` and `--version` asked for are fine; a group run without its subcommand is misuse.
      const ok =
        error.code === "commander.helpDisplayed" ||
        (error.code === "commander.help" && error.exitCode === 0) ||
        error.code === "commander.version";
      if (!ok && machine) {
        const message =
          error.message === "(outputHelp)"
            ? "a subcommand is missing; run with --help to list them"
            : error.message.replace(/^error: /, "");
        const { SCHEMA_VERSION } = await import("./output.js");
        const body = { schemaVersion: SCHEMA_VERSION, error: { code: "usage", message, exitCode: 64 } };
        (io.stdout ?? process.stdout).write(`${JSON.stringify(body, null, 2)}\n`);
      }
      io.exit(ok ? 0 : 64);
      return;
    }
    throw error;
  }
}
