/**
 * The `${env:NAME}` / `${file:PATH}` placeholder syntax of project files and `-f` input files (the
 * README's Secrets section), as pure text rules: where the placeholders
 * of a string are, whether each is well formed, and whether its name looks like a credential. Reading
 * environment variables and files is the caller's (src/project/placeholders.ts). `$${` writes a
 * literal `${`.
 */

export type PlaceholderKind = "env" | "file";

export interface Placeholder {
  kind: PlaceholderKind;
  /** The variable name or the path, as written. */
  arg: string;
  /** The placeholder as written, for messages: `${env:REGION}`. */
  text: string;
}

/** One piece of a string: literal text, a placeholder, or a malformed `${…}` with why it is refused. */
export type TextPart =
  | { kind: "literal"; text: string }
  | { kind: "placeholder"; placeholder: Placeholder }
  | { kind: "invalid"; text: string; problem: string };

const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that say "credential": a placeholder named so may only feed a secret position. */
const CREDENTIAL_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

/** True when the text holds a `${…}` (not the `$${` escape). */
export function hasPlaceholder(text: string): boolean {
  return /(^|[^$])\$\{/.test(text);
}

/** Splits a string into literal text and placeholders; never throws. */
export function splitPlaceholders(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const literal = (piece: string) => {
    if (piece === "") return;
    const previous = parts[parts.length - 1];
    if (previous?.kind === "literal") previous.text += piece;
    else parts.push({ kind: "literal", text: piece });
  };
  for (const match of text.matchAll(PLACEHOLDER)) {
    literal(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === "$${") {
      literal("${");
      continue;
    }
    parts.push(placeholderPart(match[1] ?? "", match[0]));
  }
  literal(text.slice(last));
  return parts;
}

function placeholderPart(body: string, whole: string): TextPart {
  const colon = body.indexOf(":");
  const kind = colon < 0 ? body : body.slice(0, colon);
  const arg = colon < 0 ? "" : body.slice(colon + 1);
  if (kind === "env") {
    if (!ENV_NAME.test(arg)) {
      return {
        kind: "invalid",
        text: whole,
        problem: `placeholder \${env:${cut(arg)}} needs an environment variable name (letters, digits, '_'); write \${env:NAME}`,
      };
    }
    return { kind: "placeholder", placeholder: { kind, arg, text: whole } };
  }
  if (kind === "file") {
    if (arg === "") {
      return {
        kind: "invalid",
        text: whole,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown as is
        problem: "placeholder ${file:} needs a path; write ${file:PATH}",
      };
    }
    return { kind: "placeholder", placeholder: { kind, arg, text: `\${file:${cut(arg)}}` } };
  }
  return {
    kind: "invalid",
    text: whole,
    problem: `unknown placeholder \${${cut(body)}}; use \${env:NAME} or \${file:PATH} (write $\${ for a literal \${)`,
  };
}

/**
 * True when a placeholder's name says it holds a credential (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`,
 * `*KEY*`, any case): the variable name, or the file's path as written (`secrets/crm.txt` counts).
 */
export function looksLikeCredential(placeholder: Placeholder): boolean {
  return CREDENTIAL_NAME.test(placeholder.arg);
}

function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
