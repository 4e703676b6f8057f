/**
 * Masking of the secrets a test run was given (issue 15, docs/script-runtime.md): every secret value
 * decrypted for the run, and its base64, base64url, hex, URL-encoded and JSON-escaped forms, is shown as
 * `***` wherever it appears in the run's output, error and logs — the way CI systems mask secrets in
 * their logs. Masking only finds the forms listed here: a script that transforms a secret (reverses it,
 * splits it, encrypts it) gets past it, which is why decrypting secrets into a run needs its own scope.
 */

export const MASK = "***";

/** Secret texts shorter than this are not masked: masking "on" or "42" everywhere would mask everything. */
export const MIN_MASKED_LENGTH = 4;

// A secret embedded in a longer base64 text (e.g. base64("user:" + secret)) is encoded by 4-character
// groups that depend on its byte offset modulo 3; groups of fewer bytes than this are not masked alone.
const MIN_BASE64_CORE_BYTES = 6;

/**
 * The base64 and base64url texts a secret's bytes take inside a longer base64 text, one per alignment
 * (offset modulo 3): only the fully determined 4-character groups (RFC 4648 §4).
 */
export function embeddedBase64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const usable = Math.floor((bytes.length - shift) / 3) * 3;
    if (usable < MIN_BASE64_CORE_BYTES) continue;
    const core = bytes.subarray(shift, shift + usable);
    forms.push(core.toString("base64"), core.toString("base64url"));
  }
  return forms;
}

/**
 * The texts of one decrypted, typed variable value that are secret: a string as is; a number as
 * `String(value)`; an object as its JSON text and every string or number inside it. Texts shorter than
 * `MIN_MASKED_LENGTH` are left out, and so is a boolean: one bit cannot be hidden by masking, and
 * masking every `true` would hide the rest of the output.
 */
export function secretTexts(value: unknown): string[] {
  const texts = new Set<string>();
  const add = (text: string) => {
    if (text.length >= MIN_MASKED_LENGTH) texts.add(text);
  };
  const leaves = (v: unknown): void => {
    if (typeof v === "string") add(v);
    else if (typeof v === "number" || typeof v === "bigint") add(String(v));
    else if (Array.isArray(v)) v.forEach(leaves);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(leaves);
  };
  if (typeof value === "string") add(value);
  else if (typeof value === "number" || typeof value === "bigint") add(String(value));
  else if (value !== null && typeof value === "object") {
    const json = JSON.stringify(value);
    if (json !== undefined) add(json);
    leaves(value);
  }
  return [...texts];
}

/** Every form in which a secret text is masked: as is, JSON-escaped, URL-encoded, base64(url) and hex. */
export function secretForms(secret: string): string[] {
  return [...secretTextForms(secret), ...secretEncodedForms(secret)];
}

/** The secret as text: as is, JSON-escaped, URL-encoded (masked as whole tokens). */
function secretTextForms(secret: string): string[] {
  if (secret.length < MIN_MASKED_LENGTH) return [];
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1)]);
  for (const encoded of [
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]) {
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase()));
  }
  return [...forms];
}

/** The secret's bytes encoded: base64(url), alone or inside a longer encoding, and hex (masked anywhere). */
function secretEncodedForms(secret: string): string[] {
  if (secret.length < MIN_MASKED_LENGTH) return [];
  const forms = new Set<string>();
  const bytes = Buffer.from(secret, "utf8");
  const base64 = bytes.toString("base64");
  forms.add(base64);
  forms.add(base64.replace(/=+$/, ""));
  forms.add(bytes.toString("base64url"));
  for (const form of embeddedBase64Forms(bytes)) forms.add(form);
  const hex = bytes.toString("hex");
  forms.add(hex);
  forms.add(hex.toUpperCase());
  return [...forms].filter((form) => form.length >= MIN_MASKED_LENGTH);
}

/** The shortest secret the CLI and the SDK agree to mask in their output (a shorter one is refused). */
export const MIN_REDACTED_LENGTH = 8;

// Syntax characters only: a pattern with the `u` flag refuses any other escape.
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * A secret made of letters only ("validate", "password") can be part of an ordinary word, so it is
 * masked only as a whole token: not next to another letter or digit. Any other secret ("sk-live-4f9a",
 * "12345678") cannot be, and is masked wherever it appears, even glued to other text.
 */
export function isWordLike(secret: string): boolean {
  return /^\p{L}+$/u.test(secret);
}

/**
 * One pattern for the given forms of secrets, longest first so a secret that contains another is
 * replaced whole. `anywhere` forms match inside any text; `wholeTokens` forms (of word-like secrets,
 * see `isWordLike`) only where no letter or digit touches them, so a secret "validate" is masked in
 * "cxda validate" but not in "revalidated", and output is never garbled in mid-word.
 */
export function maskPattern(anywhere: Iterable<string>, wholeTokens: Iterable<string>): RegExp | null {
  const free = new Set(anywhere);
  const all = new Set([...free, ...wholeTokens]);
  if (all.size === 0) return null;
  const alternatives = [...all]
    .sort((a, b) => b.length - a.length)
    .map((form) =>
      free.has(form) ? escapeRegExp(form) : `(?<![\\p{L}\\p{N}])${escapeRegExp(form)}(?![\\p{L}\\p{N}])`,
    );
  return new RegExp(alternatives.join("|"), "gu");
}

export interface SecretMasker {
  /** How many occurrences were replaced by `***` so far. */
  readonly masked: number;
  /** The text with every form of every secret replaced by `***`. */
  text(text: string): string;
  /**
   * A copy of a JSON value with every string and object key masked; a number or boolean whose text
   * holds a secret becomes the masked text (a string).
   */
  value(value: unknown): unknown;
}

/**
 * A masker for the given decrypted variable values (see `secretTexts`). With no secret long enough to
 * mask, it returns everything unchanged.
 */
export function createSecretMasker(values: Iterable<unknown>): SecretMasker {
  const anywhere = new Set<string>();
  const wholeTokens = new Set<string>();
  for (const value of values)
    for (const text of secretTexts(value)) {
      for (const f of secretTextForms(text)) (isWordLike(text) ? wholeTokens : anywhere).add(f);
      for (const f of secretEncodedForms(text)) anywhere.add(f);
    }
  const pattern = maskPattern(anywhere, wholeTokens);
  let masked = 0;

  const text = (input: string): string => {
    if (pattern === null) return input;
    let out = input;
    // Until stable: a replacement can join two fragments into a new occurrence. Every form is longer
    // than "***", so each pass shortens the text and the loop ends.
    for (;;) {
      let found = 0;
      out = out.replace(pattern, () => {
        found += 1;
        return MASK;
      });
      if (found === 0) return out;
      masked += found;
    }
  };

  const value = (input: unknown): unknown => {
    if (pattern === null) return input;
    if (typeof input === "string") return text(input);
    if (typeof input === "number" || typeof input === "boolean") {
      const shown = String(input);
      const after = text(shown);
      return after === shown ? input : after;
    }
    if (Array.isArray(input)) return input.map(value);
    if (input !== null && typeof input === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(input))
        Object.defineProperty(out, text(key), {
          value: value(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    return input;
  };

  return {
    get masked() {
      return masked;
    },
    text,
    value,
  };
}
