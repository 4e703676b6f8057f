/**
 * `--jq EXPR`: filters a command's JSON result through jq itself — jq-wasm is jq 1.7 compiled to
 * WebAssembly and shipped inside the package (no binary download, no native build, no dependencies),
 * so every jq expression means what it means in jq. Strings are printed raw (`-r`), as `gh --jq` does.
 * Loaded only when --jq is given.
 */
import { raw } from "jq-wasm";
import { UsageError } from "./exit-codes.js";

export async function filterJson(data: unknown, expression: string): Promise<string> {
  try {
    return await raw(JSON.stringify(data), expression, ["-r"]);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/^Failed to execute [A-Za-z ]*query: /, "")
      .replace(/\s*\(Unix shell quoting issues\?\)/, "")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .join("; ");
    throw new UsageError(`--jq: ${message}`);
  }
}
