/**
 * "Is this header a credential?" — the one answer every consumer uses: the planner and `plan --out`,
 * the redactor (logs, traces, audit, webhook bodies), `cxda export`, at-rest sealing in the emulator,
 * the test-run render, and the CLI's header listing. See docs/secrets.md.
 *
 * A header is a credential when its NAME says so (Authorization, Cookie, anything with token, secret,
 * key, password, auth, signature, credential, session, …) or when its VALUE looks like one, whatever the
 * header is called: an auth scheme (`Bearer …`, `Basic …`, RFC 9110 §11.4), a JWT, a `name=value` pair
 * whose name is credential-like, or a long high-entropy token.
 */

/** Names that are credentials by convention (compared lower-cased). */
const CREDENTIAL_NAMES = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"]);
/** Any name containing one of these parts (case-insensitive). */
const CREDENTIAL_NAME_PARTS =
  /token|secret|key|password|passwd|passphrase|auth|signature|credential|session|cookie|jwt|bearer/i;
/** A name that is `sig` as a whole dash/underscore-separated word (X-Sig, X-Hub-Sig-256). */
const SIG_WORD = /(^|[-_])sig([-_]|$)/i;
/** Names that match a part above but carry no credential (an idempotency key is audited). */
const NON_CREDENTIAL_NAMES = new Set(["idempotency-key"]);

/** True when the header's name alone marks it as a credential. */
export function isCredentialHeaderName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  if (NON_CREDENTIAL_NAMES.has(lower)) return false;
  return CREDENTIAL_NAMES.has(lower) || CREDENTIAL_NAME_PARTS.test(lower) || SIG_WORD.test(lower);
}

/** An HTTP authentication scheme followed by its credentials (RFC 9110 §11.4, RFC 6750, RFC 7617). */
const AUTH_SCHEME = /^\s*(bearer|basic|digest|negotiate|dpop|hawk|aws4-hmac-sha256)\s+\S/i;
/** Schemes that are also English words count only before a token-like word (8+ chars with a digit). */
const WORD_SCHEME = /^\s*(token|apikey|api-key|key)\s+(?=\S*\d)[A-Za-z0-9._~+/=-]{8,}/i;
/** A JWS/JWT compact serialisation: its base64url JOSE header always starts `{"` → `eyJ` (RFC 7515). */
const JWT = /(^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
/** `name=value` pairs inside a value (a cookie string, a query-like value). */
const PAIR = /(?:^|[;&,\s])\s*([A-Za-z0-9_.-]+)=([^;&,\s]+)/g;
/** A token68 (RFC 9110 §11.2) or a base64/base64url/hex text: one word, no spaces. */
const TOKEN_CHARS = /^[A-Za-z0-9._~+/-]+=*$/;
/** A long token: shorter values are rarely keys and often ordinary identifiers. */
const MIN_TOKEN_LENGTH = 24;
/** A value made only of short dash/dot-separated words is an identifier, not a key. */
const MIN_LONGEST_PART = 12;
/** Shannon entropy per character above which a letters-and-digits token counts as random. */
const MIN_TOKEN_ENTROPY = 3.9;

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A long high-entropy token: one word of at least 24 token characters that is a hex string or UUID of
 * 32+ hex digits, or mixes letters and digits with ≥ 3.9 bits of entropy per character and has a part
 * of 12+ characters between separators. Measured on typical keys (sk_live_…, ghp_…, AWS secrets, base64
 * of 18+ random bytes) against header values such as `cxda-demo-2024-release-candidate` or
 * `application/vnd.api+json`, which stay plain.
 */
export function isHighEntropyToken(value: string): boolean {
  const text = value.trim();
  if (text.length < MIN_TOKEN_LENGTH || !TOKEN_CHARS.test(text)) return false;
  if (/^[0-9a-f]{32,}$/i.test(text.replace(/-/g, ""))) return true;
  if (!/[0-9]/.test(text) || !/[A-Za-z]/.test(text)) return false;
  const longest = Math.max(...text.split(/[-_.~/+=]+/).map((part) => part.length));
  return longest >= MIN_LONGEST_PART && shannonEntropy(text) >= MIN_TOKEN_ENTROPY;
}

/** True when the value has the shape of a credential, whatever the header is called. */
export function isCredentialValue(value: string): boolean {
  if (AUTH_SCHEME.test(value) || WORD_SCHEME.test(value) || JWT.test(value) || isHighEntropyToken(value))
    return true;
  if (value.includes("=")) {
    for (const match of value.matchAll(PAIR)) {
      const [, name, pairValue] = match;
      if (isCredentialHeaderName(name!) && pairValue !== "") return true;
    }
  }
  return false;
}

/**
 * The shared predicate: a header is a credential when its name or its value says so. Without a value
 * (a header listed by name only) the name decides.
 */
export function isCredentialHeader(name: string, value?: string | null): boolean {
  if (isCredentialHeaderName(name)) return true;
  return typeof value === "string" && value !== "" && isCredentialValue(value);
}
