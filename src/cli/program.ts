/**
 * The command tree. Each command's implementation lives in `commands/*.ts` and is imported only when
 * that command runs, so `cxda --help` and `cxda --version` load nothing but commander.
 */
import { Command, CommanderError } from "commander";
import type { CommandContext } from "./context.js";
import { COMMAND_GROUPS } from "./groups/index.js";

export type CommandHandler = (
  ctx: CommandContext,
  args: string[],
  options: Record<string, unknown>,
) => Promise<number | undefined>;
export type Loader = () => Promise<CommandHandler>;
/** Wraps a lazily loaded handler as a commander action. */
export type RunAction = (load: Loader) => (this: Command, ...raw: unknown[]) => Promise<void>;
/** A command group's definitions: options, arguments, help examples; handlers load lazily. */
export type RegisterGroup = (program: Command, run: RunAction) => void;

export interface ProgramIO {
  /** Called with the exit code when a command finishes (tests capture it; bin.ts sets process.exitCode). */
  exit(code: number): void;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const VERSION = "0.1.0";

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

export function buildProgram(io: ProgramIO): Command {
  const program = new Command("cxda")
    .description(
      "Manage contact-center Data Actions as code: SDK, CLI and a local emulator of the Data Actions API",
    )
    .version(VERSION, "-V, --version")
    .option("--base-url <url>", "API base URL (env CXDA_BASE_URL; default http://127.0.0.1:8787)")
    .option("--profile <name>", "profile in $XDG_CONFIG_HOME/cxda/config.yaml (env CXDA_PROFILE)")
    .option("--client-id <id>", "OAuth client id (env CXDA_CLIENT_ID; the secret only from env or profile)")
    .option("--audit-log <path>", "audit log file (env CXDA_AUDIT_LOG; default ./cxda-audit.jsonl)")
    .option("--webhook-url <url>", "send signed events here (env CXDA_WEBHOOK_URL)")
    .option("--webhook-secret <secret>", "webhook signing secret, whsec_… or raw (env CXDA_WEBHOOK_SECRET)")
    .option("--json", "machine-readable output with a schemaVersion")
    .option("-v, --verbose", "trace HTTP requests, retries and pacing on stderr (secrets redacted)")
    .option("--no-color", "plain output (also NO_COLOR)")
    .addHelpText(
      "after",
      examples(
        "cxda demo",
        "cxda emulator start --in-memory",
        "cxda actions list --json",
        "cxda audit --outcome failure",
      ),
    );

  const run: RunAction = (load) =>
    async function (this: Command, ...raw: unknown[]) {
      const args = raw
        .slice(0, -2)
        .flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
      const options = this.opts();
      const { createContext } = await import("./context.js");
      const ctx = createContext(this.optsWithGlobals(), {
        ...(io.env ? { env: io.env } : {}),
        ...(io.stdout ? { stdout: io.stdout } : {}),
        ...(io.stderr ? { stderr: io.stderr } : {}),
      });
      let code: number;
      try {
        const handler = await load();
        code = (await handler(ctx, args, options)) ?? 0;
      } catch (error) {
        const { reportError } = await import("./report-error.js");
        code = reportError(ctx, error);
      } finally {
        await ctx.close().catch(() => {});
      }
      io.exit(code);
    };

  for (const register of COMMAND_GROUPS) register(program, run);

  return program;
}

/** Every misuse: exit 64 with a one-line reason and the usage of the command at fault. */
export function configureUsageErrors(program: Command, io: ProgramIO): void {
  const visit = (cmd: Command, prefix: string) => {
    const name = prefix ? `${prefix} ${cmd.name()}` : cmd.name();
    cmd.exitOverride();
    cmd.showHelpAfterError(`usage: ${name} ${cmd.usage()}\n(run '${name} --help' for options and examples)`);
    cmd.configureOutput({
      writeOut: (s) => (io.stdout ?? process.stdout).write(s),
      writeErr: (s) => (io.stderr ?? process.stderr).write(s),
    });
    for (const sub of cmd.commands) visit(sub, name);
  };
  visit(program, "");
}

export async function runCli(argv: string[], io: ProgramIO): Promise<void> {
  const program = buildProgram(io);
  configureUsageErrors(program, io);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // `--help` and `--version` asked for are fine; a group run without its subcommand is misuse.
      const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version";
      io.exit(ok ? 0 : 64);
      return;
    }
    throw error;
  }
}
