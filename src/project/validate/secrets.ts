/**
 * Which values of a project file are secret, and the rules that keep a placeholder from copying a
 * secret into a value stored readable (see the README's Secrets section):
 *
 * - secret positions: encrypted variables, masked overrides, credential headers. Their values are
 *   masked in every output and stored sealed or masked by the API.
 * - plain positions: everything else (descriptions, request URLs, other headers, plain variables and
 *   overrides). A read-scoped client reads them, so the plan shows them resolved, with their source.
 * - one variable or file may not feed both a secret and a plain position;
 * - a placeholder in a plain position whose name looks like a credential is refused.
 */
import { isCredentialHeader } from "../../domain/credential-header.js";
import { looksLikeCredential } from "../../domain/placeholders.js";
import { type IssuePath, pathText } from "../../domain/validation-result.js";
import { type CheckContext, FAILED, isRecord } from "./context.js";
import type { LoadedText } from "./loader.js";

export interface Position {
  text: LoadedText;
  secret: boolean;
  /** What the position is, for messages: "header 'X-Region'", "variable 'region'", … */
  what: string;
  /** How to make it a secret position, for messages. */
  makeSecret: string;
}

/** Every placeholder-capable value of the file, as a secret or a plain position. */
export function positionsOf(ctx: CheckContext): Position[] {
  const positions: Position[] = [];
  for (const text of ctx.loaded.texts.values()) {
    const position = classify(ctx, text);
    if (position) positions.push(position);
  }
  return positions;
}

function classify(ctx: CheckContext, text: LoadedText): Position | undefined {
  const [, action, field, key, index, leaf] = text.path as [string, string, string, ...(string | number)[]];
  const raw =
    isRecord(ctx.loaded.source.data) && isRecord(ctx.loaded.source.data.actions)
      ? ctx.loaded.source.data.actions[action]
      : undefined;
  if (!isRecord(raw)) return undefined;
  const elsewhere = "credentials belong in an encrypted variable, a masked override or a credential header";
  if (field === "description") return { text, secret: false, what: "the description", makeSecret: elsewhere };
  if (field === "request") return { text, secret: false, what: "the request URL", makeSecret: elsewhere };
  if (field === "headers") {
    return {
      text,
      secret: isCredentialHeader(String(key), text.unresolved ? undefined : text.value),
      what: `header '${String(key)}'`,
      makeSecret:
        "send it in a header treated as a credential (Authorization, or a name with Token, Secret, Key, Password or Auth; see docs/secrets.md)",
    };
  }
  if (field === "variables" && Array.isArray(raw.variables)) {
    const item = raw.variables[Number(key)];
    const name = isRecord(item) ? String(item.name) : String(key);
    return {
      text,
      secret: isRecord(item) && item.encrypted === true,
      what: `variable '${name}'`,
      makeSecret: "set encrypted: true on the variable",
    };
  }
  if (field === "overrides" && isRecord(raw.overrides)) {
    const list = raw.overrides[String(key)];
    const item = Array.isArray(list) ? list[Number(index)] : undefined;
    const name = isRecord(item) ? String(item.name) : String(index);
    if (leaf === "description")
      return { text, secret: false, what: `the description of override '${name}'`, makeSecret: elsewhere };
    return {
      text,
      secret: isRecord(item) && item.masked === true,
      what: `override '${name}' in ${String(key)}`,
      makeSecret: "set masked: true on the override",
    };
  }
  return undefined;
}

/** The two rules of placeholder use; problems are reported at the plain position. */
export function checkPlaceholderUse(ctx: CheckContext, positions: readonly Position[]): void {
  const secretUse = new Map<string, IssuePath>();
  for (const p of positions) {
    if (!p.secret) continue;
    for (const source of p.text.sources)
      if (!secretUse.has(source.key)) secretUse.set(source.key, p.text.path);
  }
  for (const p of positions) {
    if (p.secret) continue;
    const label = `action ${String(p.text.path[1])}`;
    for (const source of p.text.sources) {
      const stored = `${p.what} is stored readable: any client with read access sees it, and plans print it`;
      if (looksLikeCredential(source)) {
        ctx.report(
          p.text.path,
          FAILED,
          `${label}: ${source.text} looks like a credential (its name says TOKEN, SECRET, PASSWORD or KEY), but ${stored}; if it is a secret, ${p.makeSecret}; if it is not, rename the ${source.kind === "env" ? "variable" : "file"}`,
        );
        continue;
      }
      const secretAt = secretUse.get(source.key);
      if (secretAt) {
        ctx.report(
          p.text.path,
          FAILED,
          `${label}: ${source.text} also feeds the secret ${pathText(secretAt)}, but ${stored}; a value is either secret or plain: give the plain value its own ${source.kind === "env" ? "environment variable" : "file"}`,
        );
      }
    }
  }
}
