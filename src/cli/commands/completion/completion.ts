import type { Command } from "commander";
import type { Handler } from "../../command.js";
import type { completionSpec } from "./index.js";

interface Node {
  /** Space-separated command path, "" for the root. */
  path: string;
  description: string;
  subcommands: { name: string; description: string }[];
  /** Its first argument is an action (`<ref>`): completed with the tenant's action names. */
  takesAction: boolean;
  flags: { long: string; short?: string; description: string; takesValue: boolean }[];
}

/** Every command of the tree with its subcommands and flags (the root's flags are global). */
function walk(command: Command, path: string[] = [], out: Node[] = []): Node[] {
  const visible = command.commands.filter((c) => c.name() !== "help");
  out.push({
    path: path.join(" "),
    description: command.description(),
    subcommands: visible.map((c) => ({ name: c.name(), description: c.description() })),
    takesAction: command.registeredArguments[0]?.name() === "ref",
    flags: command.options
      .filter((o) => o.long !== undefined && !o.hidden)
      .map((o) => ({
        long: o.long!,
        ...(o.short ? { short: o.short } : {}),
        description: o.description,
        takesValue: o.required || o.optional,
      })),
  });
  for (const sub of visible) walk(sub, [...path, sub.name()], out);
  return out;
}

const words = (node: Node, root: Node) =>
  [
    ...node.subcommands.map((s) => s.name),
    ...node.flags.flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]),
    ...(node === root ? [] : root.flags.map((f) => f.long).filter((f) => f !== "--version")),
    "--help",
  ].join(" ");

export function bashScript(nodes: Node[]): string {
  const root = nodes[0]!;
  const known = nodes
    .slice(1)
    .map((n) => `"${n.path}"`)
    .join("|");
  const cases = nodes.map((n) => `    "${n.path}") echo "${words(n, root)}" ;;`).join("\n");
  const actionPaths = nodes
    .filter((n) => n.takesAction)
    .map((n) => `"${n.path}"`)
    .join("|");
  return `# cxda completion for bash (cxda completion bash); zsh loads it through bashcompinit
_cxda_words() {
  case "$1" in
${cases}
  esac
}
_cxda() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" next i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    next="\${path:+$path }$w"
    case "$next" in ${known}) path="$next" ;; esac
  done
  local candidates
  candidates="$(_cxda_words "$path")"
  # Action names, read from the tenant the current settings point at (quietly nothing when it is unreachable).
  case "$path" in ${actionPaths || '""'})
    case "$cur" in -*) ;; *) candidates="$candidates $(cxda actions list --jq '.actions[].name' 2>/dev/null)" ;; esac ;;
  esac
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -F _cxda cxda
`;
}

export function zshScript(nodes: Node[]): string {
  return `# cxda completion for zsh (cxda completion zsh): the bash completion through bashcompinit
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(nodes)}`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

export function fishScript(nodes: Node[]): string {
  const lines = ["# cxda completion for fish (cxda completion fish)", "complete -c cxda -f"];
  for (const node of nodes) {
    const parts = node.path === "" ? [] : node.path.split(" ");
    // The path is seen, and no deeper subcommand of it yet.
    const seen = parts.map((p) => `__fish_seen_subcommand_from ${p}`);
    const deeper = node.subcommands.map((s) => s.name);
    const subCondition = [
      ...(parts.length === 0 ? ["__fish_use_subcommand"] : seen),
      ...(parts.length > 0 && deeper.length > 0
        ? [`not __fish_seen_subcommand_from ${deeper.join(" ")}`]
        : []),
    ].join("; and ");
    for (const sub of node.subcommands)
      lines.push(
        `complete -c cxda -n ${fishQuote(subCondition)} -a ${sub.name} -d ${fishQuote(sub.description.slice(0, 80))}`,
      );
    const flagCondition = parts.length === 0 ? "" : ` -n ${fishQuote(seen.join("; and "))}`;
    if (node.takesAction)
      lines.push(
        `complete -c cxda${flagCondition} -a ${fishQuote("(cxda actions list --jq '.actions[].name' 2>/dev/null)")} -d action`,
      );
    for (const flag of node.flags) {
      const short = flag.short ? ` -s ${flag.short.replace(/^-/, "")}` : "";
      lines.push(
        `complete -c cxda${flagCondition} -l ${flag.long.replace(/^--/, "")}${short}${flag.takesValue ? " -r" : ""} -d ${fishQuote(flag.description.slice(0, 80))}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

export const run: Handler<typeof completionSpec> = async (ctx, { args }) => {
  const nodes = walk(await ctx.commandTree());
  const script =
    args.shell === "bash" ? bashScript(nodes) : args.shell === "zsh" ? zshScript(nodes) : fishScript(nodes);
  ctx.out.raw(script);
  return 0;
};
