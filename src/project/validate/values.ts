/** What a refused literal secret's message says, and what counts as literal, for variables and overrides. */
import { hasPlaceholder } from "../../domain/placeholders.js";

export const literalSecretHint =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown to users as is
  "must come from ${env:NAME} or ${file:PATH}, not be written in the file; move it to an environment variable or a file (or pass --allow-literal-secrets)";

/** A value written in the file itself, not read from a placeholder. */
export function isLiteral(value: unknown): boolean {
  return value !== undefined && (typeof value !== "string" || !hasPlaceholder(value));
}
