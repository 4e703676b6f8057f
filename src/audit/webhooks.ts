/**
 * Signed webhook delivery and verification per Standard Webhooks (https://www.standardwebhooks.com),
 * issue 3 part 3. A delivery problem is reported in the outcome, never thrown.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { fetch as undiciFetch } from "undici";
import { ValidationError } from "../errors.js";
import type { CxdaEvent } from "./events.js";
import { defaultRedactor, type Redactor } from "./redactor.js";

const SECRET_PREFIX = "whsec_";
/** Standard Webhooks "Symmetric signature": keys SHOULD be 24–64 bytes; cxda refuses others. */
export const WEBHOOK_KEY_MIN_BYTES = 24;
export const WEBHOOK_KEY_MAX_BYTES = 64;
/** Standard base64 (RFC 4648 §4) with its padding: what both official verifiers decode. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const SECRET_FORMAT =
  "whsec_<base64> or bare base64 of 24–64 random bytes (e.g. `whsec_$(openssl rand -base64 32)`)";

/**
 * Key bytes of a webhook secret, as the Standard Webhooks libraries read it: `whsec_<base64>` or bare
 * `<base64>`, decoded. Throws a ValidationError naming `field` (the flag, variable or config field the
 * secret came from) for anything else; the message never contains the secret.
 */
export function parseWebhookSecret(secret: string, field = "webhook secret"): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === "") throw new ValidationError(`${field} is empty; give ${SECRET_FORMAT}`);
  if (!BASE64.test(encoded)) throw new ValidationError(`${field} is not valid: it must be ${SECRET_FORMAT}`);
  const key = Buffer.from(encoded, "base64");
  if (key.length < WEBHOOK_KEY_MIN_BYTES || key.length > WEBHOOK_KEY_MAX_BYTES)
    throw new ValidationError(
      `${field} decodes to ${key.length} bytes; a key must be ${WEBHOOK_KEY_MIN_BYTES}–${WEBHOOK_KEY_MAX_BYTES} bytes: give ${SECRET_FORMAT}`,
    );
  return key;
}

/**
 * Key bytes of a webhook secret for signing and verifying: `whsec_<base64>` or bare base64, decoded,
 * without the length rule (so published test vectors with shorter keys still check). Undefined when
 * the secret is not base64.
 */
export function webhookKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === "" || !BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, "base64");
}

function keyOrThrow(secret: string): Buffer {
  const key = webhookKey(secret);
  if (!key) throw new ValidationError(`webhook secret is not valid: it must be ${SECRET_FORMAT}`);
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (Standard Webhooks "Signature scheme"). */
export function signWebhook(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  const hmac = createHmac("sha256", keyOrThrow(secret));
  hmac.update(`${msgId}.${timestampSeconds}.`);
  hmac.update(typeof body === "string" ? Buffer.from(body, "utf8") : body);
  return `v1,${hmac.digest("base64")}`;
}

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Accepted clock difference in either direction, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The receiver's "now" (Date or epoch milliseconds); default the current time. */
  now?: Date | number;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.join(" ") : value;
  }
  return undefined;
}

/**
 * Verifies a received webhook: headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (names
 * case-insensitive). The signature header may hold several space-separated `v1,<sig>` entries (key
 * rotation); one match is enough. Comparison is constant-time. Returns `{ok: false, reason}` and never
 * throws on bad input; the reason never contains the secret.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): WebhookVerification {
  const id = headerValue(headers, "webhook-id");
  const timestamp = headerValue(headers, "webhook-timestamp");
  const signatures = headerValue(headers, "webhook-signature");
  if (!id) return { ok: false, reason: "missing webhook-id header" };
  if (!timestamp) return { ok: false, reason: "missing webhook-timestamp header" };
  if (!signatures) return { ok: false, reason: "missing webhook-signature header" };
  if (!/^\d{1,15}$/.test(timestamp.trim())) {
    return { ok: false, reason: "webhook-timestamp is not an integer number of seconds" };
  }
  const seconds = Number(timestamp.trim());
  const tolerance = options.toleranceSeconds ?? 300;
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const skew = Math.abs(nowMs / 1000 - seconds);
  if (skew > tolerance) {
    return {
      ok: false,
      reason: `webhook-timestamp is ${Math.round(skew)} s away from now (tolerance ${tolerance} s): too old or too new`,
    };
  }
  if (webhookKey(secret) === undefined)
    return { ok: false, reason: `the secret is not valid: it must be ${SECRET_FORMAT}` };
  const expected = Buffer.from(signWebhook(secret, id, seconds, body).slice(3), "base64");
  for (const entry of signatures.trim().split(/\s+/)) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const candidate = Buffer.from(entry.slice(comma + 1), "base64");
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { ok: true };
  }
  return { ok: false, reason: "no v1 signature in webhook-signature matches the body and secret" };
}

export interface WebhookOutcome {
  delivered: boolean;
  attempts: number;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Redacted reason of the last failure (no URL query, no secret). */
  error?: string;
  /** The `webhook-id` sent (the same for every attempt). */
  id: string;
}

interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}
interface FetchResponse {
  status: number;
  text(): Promise<string>;
}
export type WebhookFetch = (url: string, init: FetchInit) => Promise<FetchResponse>;

export interface WebhookSenderOptions {
  url: string;
  /** `whsec_<base64>` or bare base64 of a 24–64-byte key (Standard Webhooks). */
  secret: string;
  /** Where the secret came from (a flag, variable or config field), named in the error when it is invalid. */
  secretField?: string;
  /** Injectable transport; default undici's fetch. */
  fetch?: WebhookFetch;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) for backoff jitter; default Math.random. */
  random?: () => number;
  /** Per attempt, connection to end of body (default 5000). */
  timeoutMs?: number;
  /** Default 3. */
  maxAttempts?: number;
  /** First backoff step in ms (default 500, doubling each retry, jittered to 50–100 %). */
  backoffMs?: number;
  redactor?: Redactor;
  clock?: () => Date;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The URL as shown in messages: scheme, host and path only (a query may hold a token). */
function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function describeFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `network error ${code}` : `network error: ${message}`;
}

/**
 * Delivers events to one endpoint. Budget: at most maxAttempts × timeoutMs plus the backoff between
 * attempts — with the defaults 3 × 5 s + (0.5 s + 1 s) ≈ 16.5 s — so a dead receiver never holds an
 * operation longer than that. Retries 5xx, network errors and timeouts only; a 4xx is final.
 */
export class WebhookSender {
  readonly url: string;
  private readonly target: URL;
  private readonly secret: string;
  private readonly fetchImpl: WebhookFetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly redactor: Redactor;
  private readonly clock: () => Date;

  constructor(options: WebhookSenderOptions) {
    let target: URL;
    try {
      target = new URL(options.url);
    } catch {
      throw new ValidationError("webhook URL is not a valid absolute URL; give http(s)://host/path");
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new ValidationError(
        `webhook URL must use http or https, not ${target.protocol.replace(":", "")}`,
      );
    }
    parseWebhookSecret(options.secret, options.secretField ?? "webhook secret");
    this.url = options.url;
    this.target = target;
    this.secret = options.secret;
    this.redactor = options.redactor ?? defaultRedactor;
    this.redactor.register(options.secret);
    this.fetchImpl = options.fetch ?? (undiciFetch as unknown as WebhookFetch);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoffMs = options.backoffMs ?? 500;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Upper bound of one `send` in ms: every attempt timing out plus the longest backoffs. */
  get maxDurationMs(): number {
    let total = this.maxAttempts * this.timeoutMs;
    for (let retry = 1; retry < this.maxAttempts; retry++) total += this.backoffMs * 2 ** (retry - 1);
    return total;
  }

  /** The JSON body for an event: `{type, timestamp, data}` passed through the redactor. */
  bodyOf(event: CxdaEvent): string {
    return JSON.stringify(
      this.redactor.redact({ type: event.type, timestamp: event.timestamp, data: event.data }),
    );
  }

  /** Sends one event; never throws. */
  async send(event: CxdaEvent): Promise<WebhookOutcome> {
    const id = `msg_${randomBytes(16).toString("base64url")}`;
    let body: string;
    try {
      body = this.bodyOf(event);
    } catch (error) {
      return {
        delivered: false,
        attempts: 0,
        id,
        error: this.safe(`event could not be serialized: ${String(error)}`),
      };
    }
    let last: Omit<WebhookOutcome, "attempts" | "id"> = { delivered: false };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        const step = this.backoffMs * 2 ** (attempt - 2);
        await this.sleep(Math.round(step * (0.5 + this.random() / 2)));
      }
      const result = await this.attempt(id, body);
      last = result.outcome;
      if (result.outcome.delivered || !result.retry) return { ...last, attempts: attempt, id };
    }
    return { ...last, attempts: this.maxAttempts, id };
  }

  private async attempt(
    id: string,
    body: string,
  ): Promise<{ outcome: Omit<WebhookOutcome, "attempts" | "id">; retry: boolean }> {
    // Standard Webhooks: the same id on every retry, a fresh timestamp and signature per attempt.
    const timestamp = Math.floor(this.clock().getTime() / 1000);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await this.fetchImpl(this.target.href, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(this.secret, id, timestamp, body),
        },
        body,
        signal: controller.signal,
      });
      await response.text().catch(() => "");
      if (timedOut) throw new Error("timed out");
      const status = response.status;
      if (status >= 200 && status < 300) return { outcome: { delivered: true, status }, retry: false };
      const error = this.safe(`receiver at ${displayUrl(this.target)} answered HTTP ${status}`);
      return { outcome: { delivered: false, status, error }, retry: status >= 500 };
    } catch (error) {
      const reason = describeFailure(error, timedOut, this.timeoutMs);
      return {
        outcome: { delivered: false, error: this.safe(`POST ${displayUrl(this.target)}: ${reason}`) },
        retry: true,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private safe(text: string): string {
    let out = text;
    if (this.target.search) out = out.split(this.target.search).join("?***");
    return this.redactor.redactString(out);
  }
}
