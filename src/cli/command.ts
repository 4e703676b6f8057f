/**
 * A command is declared once: its flags and arguments are a zod object each. The same object
 * registers them with commander (names, value placeholders, required or not, defaults, choices) and
 * types the handler's `options` and `args`, so a renamed flag fails to compile where it is read.
 * Handlers live in their own module and are imported only when the command runs.
 */
import { type Command, Option } from "commander";
import { z } from "zod";
import type { CommandContext } from "./context.js";
import { UsageError } from "./exit-codes.js";

interface FlagMeta {
  help: string;
  /** The value placeholder, e.g. `<file>`; none for a boolean flag. */
  value?: string;
  /** A one-letter alias, e.g. `-f`. */
  short?: string;
}

interface ArgMeta {
  help: string;
  /** How the argument shows in usage, e.g. `NAME=VALUE`; default: the key. */
  label?: string;
}

const flags = new WeakMap<z.ZodType, FlagMeta>();
const args = new WeakMap<z.ZodType, ArgMeta>();

type Shape = Record<string, z.ZodType>;

/** A flag: `--kebab-case-of-its-key`. A boolean schema is a switch; anything else takes a value. */
export function flag<T extends z.ZodType>(schema: T, help: string, meta: Omit<FlagMeta, "help"> = {}): T {
  flags.set(schema, { help, ...meta });
  return schema;
}

/** A positional argument, in the order of the keys; an array is variadic, an optional one may be left out. */
export function arg<T extends z.ZodType>(schema: T, help: string, label?: string): T {
  args.set(schema, { help, ...(label === undefined ? {} : { label }) });
  return schema;
}

/** `--dry-run` of a single-resource write: the request is printed (secrets masked), not sent (dry-run.ts). */
export function dryRunFlag() {
  return flag(
    z.boolean().optional(),
    "print the request that would be sent (method, path, body; secrets masked) and exit 0 without sending it",
  );
}

export interface CommandSpec<O extends Shape = Shape, A extends Shape = Shape> {
  name: string;
  /** Top-level commands take theirs from the command index (shown by `cxda --help` without loading this). */
  description?: string;
  options?: z.ZodObject<O>;
  args?: z.ZodObject<A>;
  /** Shown after the option list: rules, input format, exit codes. */
  help?: string;
  /** Shown after the examples. */
  helpAfter?: string;
  examples: string[];
}

export interface CommandInput<O, A> {
  options: O;
  args: A;
}

export type Handler<S> =
  S extends CommandSpec<infer O, infer A>
    ? (
        ctx: CommandContext,
        input: CommandInput<z.output<z.ZodObject<O>>, z.output<z.ZodObject<A>>>,
      ) => Promise<number | undefined>
    : never;

/** A declared command bound to the module holding its handler (`export const run`). */
export interface BoundCommand {
  kind: "command";
  spec: CommandSpec;
  load: () => Promise<{ run: Handler<CommandSpec> }>;
}

export interface CommandGroup {
  kind: "group";
  name: string;
  description?: string;
  examples?: string[];
  children: CommandNode[];
}

export type CommandNode = BoundCommand | CommandGroup;

export function defineCommand<O extends Shape = Record<never, never>, A extends Shape = Record<never, never>>(
  spec: CommandSpec<O, A>,
): CommandSpec<O, A> {
  return spec;
}

/** Pairs a declaration with its lazily imported handler; the handler's type must match the declaration. */
export function bind<S extends CommandSpec>(spec: S, load: () => Promise<{ run: Handler<S> }>): BoundCommand {
  return { kind: "command", spec, load: load as unknown as BoundCommand["load"] };
}

export function group(
  name: string,
  children: CommandNode[],
  extra: { description?: string; examples?: string[] } = {},
): CommandGroup {
  return { kind: "group", name, children, ...extra };
}

export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** Runs a bound command: `handler` gets the parsed input; the caller owns the context and exit code. */
export type RunCommand = (
  command: BoundCommand,
  parse: (cmd: Command) => CommandInput<unknown, unknown>,
) => (this: Command) => Promise<void>;

/** Adds a node's flags, arguments, help and action to `cmd` (an existing commander command). */
export function registerNode(cmd: Command, node: CommandNode, run: RunCommand): void {
  if (node.kind === "group") {
    if (node.description !== undefined) cmd.description(node.description);
    if (node.examples) cmd.addHelpText("after", examples(node.examples));
    for (const child of node.children) {
      const name = child.kind === "group" ? child.name : child.spec.name;
      registerNode(cmd.command(name), child, run);
    }
    return;
  }
  const { spec } = node;
  if (spec.description !== undefined) cmd.description(spec.description);
  const argShape = spec.args?.shape ?? {};
  for (const [key, schema] of Object.entries(argShape)) {
    const meta = args.get(schema);
    if (!meta) throw new Error(`${spec.name}: argument '${key}' is not declared with arg()`);
    const info = describe(schema);
    const label = `${meta.label ?? key}${info.array ? "..." : ""}`;
    cmd.argument(info.optional ? `[${label}]` : `<${label}>`, meta.help);
  }
  for (const [key, schema] of Object.entries(spec.options?.shape ?? {})) {
    const meta = flags.get(schema);
    if (!meta) throw new Error(`${spec.name}: option '${key}' is not declared with flag()`);
    const info = describe(schema);
    const long = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const value = info.boolean ? "" : ` ${meta.value ?? "<value>"}`;
    const option = new Option(`${meta.short ? `${meta.short}, ` : ""}${long}${value}`, meta.help);
    if (info.choices) option.choices(info.choices);
    if (info.defaultValue !== undefined) option.default(info.defaultValue);
    if (!info.optional && !info.boolean) option.makeOptionMandatory();
    cmd.addOption(option);
  }
  const after = `${spec.help ?? ""}${examples(spec.examples)}${spec.helpAfter ?? ""}`;
  cmd.addHelpText("after", after);
  const argKeys = Object.keys(argShape);
  cmd.action(
    run(node, (c) => {
      const rawArgs: Record<string, unknown> = {};
      argKeys.forEach((key, i) => {
        rawArgs[key] = c.processedArgs[i];
      });
      return {
        options: parseInput(spec.options, c.opts(), "option"),
        args: parseInput(spec.args, rawArgs, "argument"),
      };
    }),
  );
}

function parseInput(schema: z.ZodObject | undefined, raw: Record<string, unknown>, what: string): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0]!;
  const key = String(first.path[0] ?? "");
  const name =
    what === "option" ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : `argument ${key}`;
  throw new UsageError(`${name}: ${first.message}`);
}

interface SchemaInfo {
  optional: boolean;
  boolean: boolean;
  array: boolean;
  choices?: string[];
  defaultValue?: unknown;
}

function describe(schema: z.ZodType): SchemaInfo {
  const info: SchemaInfo = { optional: false, boolean: false, array: false };
  let inner: z.ZodType = schema;
  for (;;) {
    if (inner instanceof z.ZodOptional) {
      info.optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodDefault) {
      info.optional = true;
      info.defaultValue = inner.def.defaultValue;
      inner = inner.unwrap() as z.ZodType;
    } else break;
  }
  if (inner instanceof z.ZodBoolean) info.boolean = true;
  if (inner instanceof z.ZodArray) info.array = true;
  if (inner instanceof z.ZodEnum) info.choices = inner.options.map(String);
  return info;
}
