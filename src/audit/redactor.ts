/**
 * The one redactor every sink uses (logs, HTTP traces, errors, audit, webhook bodies, --json output).
 * Secrets never appear in any output (docs/secrets.md). Issue 3 part 2.
 */

import { isCredentialHeader, isCredentialHeaderName } from "../domain/credential-header.js";
import {
  embeddedBase64Forms,
  isWordLike,
  MIN_REDACTED_LENGTH,
  maskPattern,
} from "../domain/secret-masking.js";

export const REDACTED = "***";

const SECRET_FIELD_NAMES = new Set([
  "clientsecret",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "sessiontoken",
  "token",
  "password",
  "passwd",
  "passphrase",
  "accesskeysecret",
  "secretaccesskey",
  "secret",
  "webhooksecret",
  "apikey",
  "xapikey",
  "privatekey",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "credentials",
  "bearer",
]);
const SECRET_FIELD_SUFFIX = /(secret|password|token|apikey|privatekey)$/;

/** Field names whose values are always secret: client_secret, clientSecret, access_token, accessToken,
 *  refresh_token, password, accessKeySecret, secret, … (also any name ending in secret, password, token). */
export function isSecretFieldName(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[-_.\s]/g, "");
  return SECRET_FIELD_NAMES.has(normalized) || SECRET_FIELD_SUFFIX.test(normalized);
}

// Base64 fragments shorter than this are too likely to match unrelated text.
const MIN_BASE64_CORE_BYTES = 6;

/** The forms in which a secret may show up as text: raw, URL-encoded, form-encoded, JSON-escaped. */
function textFormsOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  forms.add(JSON.stringify(secret).slice(1, -1));
  for (const form of whatwgUrlForms(secret)) forms.add(form);
  return [...forms];
}

/** Its base64 forms, alone or inside a longer base64 text. */
function encodedFormsOf(secret: string): string[] {
  const forms = new Set<string>();
  const bytes = Buffer.from(secret, "utf8");
  forms.add(bytes.toString("base64"));
  forms.add(bytes.toString("base64url"));
  // Embedded in a longer base64 text, e.g. Basic base64("id:secret").
  for (const form of embeddedBase64Forms(bytes)) forms.add(form);
  return [...forms].filter((f) => f.length >= MIN_BASE64_CORE_BYTES);
}

/** How the WHATWG URL parser (URL objects, fetch) writes the secret in a path, query, fragment or username. */
function whatwgUrlForms(secret: string): string[] {
  const forms: string[] = [];
  const attempt = (make: () => string, forbidden: RegExp) => {
    if (forbidden.test(secret)) return;
    try {
      const form = make();
      // The parser drops tabs and newlines; a shorter form would be a fragment of the secret.
      if (form.length >= secret.length) forms.push(form);
    } catch {
      // not representable in that component
    }
  };
  attempt(() => new URL(`http://h/${secret}`).pathname.slice(1), /[?#\\/]/);
  attempt(() => new URL(`http://h/?${secret}`).search.slice(1), /#/);
  attempt(() => new URL(`http://h/#${secret}`).hash.slice(1), /(?!)/);
  attempt(() => new URL(`http://${secret}@h/`).username, /[:@/?#\\]/);
  return forms;
}

const QUERY_PARAM = /(^|[?&;\s])([^=&#\s?;"'<>]+)=([^&#\s;"'<>]*)/g;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@?#]*:)([^\s/@?#]+)(@)/gi;
// RFC 6750 §2.1 / RFC 7617 credentials in free text; a token has a digit or symbol, unlike prose.
const BEARER_OR_BASIC = /\b(Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g;

function isSecretParamName(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // keep the raw name
  }
  return (
    isSecretFieldName(decoded) ||
    isCredentialHeaderName(decoded) ||
    /^(key|api[-_]?key|sig|signature|auth|access[-_]?key)$/i.test(decoded)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Told once per secret that is too short to be masked; `source` names where it came from, if known. */
export type TooShortListener = (source: string | undefined, length: number) => void;

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly refused = new Set<string>();
  private pattern: RegExp | null = null;
  private dirty = false;
  /** Called when a secret is refused for being shorter than 8 characters (the CLI prints a warning). */
  onTooShort: TooShortListener | undefined;

  /**
   * Registers a runtime secret (client secret, token, variable secret) and its URL-encoded and base64
   * forms. A secret shorter than 8 characters is refused: masking it would garble ordinary words and,
   * by the gaps, tell a reader the secret. `onTooShort` hears of it. Returns whether it is masked.
   */
  register(secret: string | null | undefined, source?: string): boolean {
    if (typeof secret !== "string" || secret.length === 0) return false;
    if (secret.length < MIN_REDACTED_LENGTH) {
      if (!this.refused.has(secret)) {
        this.refused.add(secret);
        this.onTooShort?.(source, secret.length);
      }
      return false;
    }
    if (this.secrets.has(secret)) return true;
    this.secrets.add(secret);
    this.dirty = true;
    return true;
  }

  /** Replaces every registered secret in the string with "***" (a word-like one only as a whole token). */
  redactString(text: string): string {
    // Registered secrets first, so a pattern below never cuts one in half and leaves a piece behind.
    let out = this.scrubRegistered(text);
    if (out.includes("=")) {
      out = out.replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) =>
        value !== "" && value !== REDACTED && isSecretParamName(name) ? `${sep}${name}=${REDACTED}` : whole,
      );
    }
    if (out.includes("://")) out = out.replace(URL_USERINFO, `$1${REDACTED}$3`);
    if (out.includes("Bearer") || out.includes("Basic")) {
      out = out.replace(BEARER_OR_BASIC, (whole, scheme: string, token: string) =>
        /[0-9._~+/=-]/.test(token) ? `${scheme} ${REDACTED}` : whole,
      );
    }
    return this.scrubRegistered(out);
  }

  private scrubRegistered(text: string): string {
    const pattern = this.combinedPattern();
    if (pattern === null) return text;
    let out = text;
    // Repeat until stable: a replacement can join fragments into a new occurrence (e.g. secret "*ab*").
    // Each pass shortens the text (secrets are longer than "***"), so this ends.
    for (;;) {
      pattern.lastIndex = 0;
      if (!pattern.test(out)) return out;
      pattern.lastIndex = 0;
      out = out.replace(pattern, REDACTED);
    }
  }

  /** Copy of a header map with credential headers (by name or value shape) → "***", registered secrets scrubbed. */
  redactHeaders<T extends Record<string, unknown>>(headers: T): T {
    const out: Record<string, unknown> = {};
    const ancestors = new WeakSet<object>();
    for (const [name, value] of Object.entries(headers)) out[name] = this.headerValue(name, value, ancestors);
    return out as T;
  }

  /** One header's value: "***" when `isCredentialHeader` says so for it (or any item of a list). */
  private headerValue(name: string, value: unknown, ancestors: WeakSet<object>): unknown {
    if (value === undefined || value === null) return value;
    const items = Array.isArray(value) ? value : [value];
    const credential =
      isCredentialHeaderName(name) ||
      items.some((item) => typeof item === "string" && isCredentialHeader(name, item));
    if (credential) return Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
    return this.walk(value, ancestors);
  }

  /** Deep copy: secret-named fields → "***", `value` of items with encrypted:true or masked:true → "***"
   *  (null stays null), header maps under a `headers` key redacted by `isCredentialHeader` (name and value), every string scrubbed.
   *  Handles cycles, Error objects (message + name), arrays, URLs with secret query values. */
  redact<T>(value: T): T {
    return this.walk(value, new WeakSet<object>()) as T;
  }

  private walk(value: unknown, ancestors: WeakSet<object>): unknown {
    if (typeof value === "string") return this.redactString(value);
    if (value === null || typeof value !== "object") return value;
    if (ancestors.has(value)) return "[Circular]";
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof URL) return this.redactUrl(value);
    ancestors.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.walk(item, ancestors));
      if (value instanceof Error) return this.redactError(value, ancestors);
      if (typeof Headers !== "undefined" && value instanceof Headers) {
        return this.redactHeaders(Object.fromEntries(value.entries()));
      }
      if (value instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of value) {
          out.set(
            this.walk(k, ancestors),
            typeof k === "string" ? this.field(k, v, false, ancestors) : this.walk(v, ancestors),
          );
        }
        return out;
      }
      if (value instanceof Set) return new Set([...value].map((item) => this.walk(item, ancestors)));
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
      const source = value as Record<string, unknown>;
      const hidden = source.encrypted === true || source.masked === true;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(source)) {
        out[this.redactString(key)] = this.field(key, item, hidden, ancestors);
      }
      return out;
    } finally {
      ancestors.delete(value);
    }
  }

  private field(key: string, item: unknown, hidden: boolean, ancestors: WeakSet<object>): unknown {
    if (item === null || item === undefined) return item;
    if (hidden && key === "value") return REDACTED;
    if (isSecretFieldName(key) && typeof item !== "boolean") return REDACTED;
    if (key.toLowerCase() === "headers" && isPlainObject(item)) {
      ancestors.add(item);
      try {
        const out: Record<string, unknown> = {};
        for (const [name, v] of Object.entries(item))
          out[this.redactString(name)] = this.headerValue(name, v, ancestors);
        return out;
      } finally {
        ancestors.delete(item);
      }
    }
    return this.walk(item, ancestors);
  }

  private redactUrl(url: URL): URL | string {
    const text = this.redactString(url.href);
    try {
      return new URL(text);
    } catch {
      return text;
    }
  }

  private redactError(error: Error, ancestors: WeakSet<object>): Error {
    const copy = Object.create(Object.getPrototypeOf(error)) as Error;
    Object.defineProperty(copy, "name", {
      value: this.redactString(String(error.name)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(copy, "message", {
      value: this.redactString(String(error.message)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    if (typeof error.stack === "string") {
      Object.defineProperty(copy, "stack", {
        value: this.redactString(error.stack),
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
    for (const [key, item] of Object.entries(error)) {
      if (key === "name" || key === "message" || key === "stack") continue;
      (copy as unknown as Record<string, unknown>)[key] = this.field(key, item, false, ancestors);
    }
    if ("cause" in error && error.cause !== undefined) {
      Object.defineProperty(copy, "cause", {
        value: this.walk(error.cause, ancestors),
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }

  private combinedPattern(): RegExp | null {
    if (this.dirty) {
      const anywhere = new Set<string>();
      const wholeTokens = new Set<string>();
      for (const secret of this.secrets) {
        for (const form of textFormsOf(secret)) (isWordLike(secret) ? wholeTokens : anywhere).add(form);
        for (const form of encodedFormsOf(secret)) anywhere.add(form);
      }
      this.pattern = maskPattern(anywhere, wholeTokens);
      this.dirty = false;
    }
    return this.pattern;
  }
}

/** One process-wide default instance that the SDK, CLI and audit sinks share unless given another. */
export const defaultRedactor: Redactor = new Redactor();
