/** The interactive approval of `cxda apply` on a TTY: only the word "yes" applies (as Terraform asks). */
import { createInterface } from "node:readline";

export async function confirmApply(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  question = "Apply these changes? (yes/no) ",
): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: false });
  try {
    output.write(question);
    const answer = await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
    });
    return answer.trim().toLowerCase() === "yes";
  } finally {
    rl.close();
  }
}
