/** `cxda completion bash|zsh|fish`: a shell completion script for commands and flags. */
import { z } from "zod";
import { arg, bind, defineCommand } from "../../command.js";

export const completionSpec = defineCommand({
  name: "completion",
  args: z.object({ shell: arg(z.enum(["bash", "zsh", "fish"]), "the shell: bash, zsh or fish") }),
  options: z.object({}),
  help: `
Prints a script completing cxda's commands, subcommands and flags. Install it:
  bash  echo 'source <(cxda completion bash)' >> ~/.bashrc
  zsh   echo 'source <(cxda completion zsh)' >> ~/.zshrc
  fish  cxda completion fish > ~/.config/fish/completions/cxda.fish
`,
  examples: ["cxda completion bash > /etc/bash_completion.d/cxda", "source <(cxda completion zsh)"],
});

export const completion = bind(completionSpec, () => import("./completion.js"));
