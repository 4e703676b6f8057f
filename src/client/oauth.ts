/**
 * OAuth 2.0 client credentials (docs/api.md, Token requests): token endpoint from the discovery document (or given),
 * `client_credentials` with Basic or body client authentication, `password` grant for access keys.
 * Token requests carry an Idempotency-Key and are retried on 5xx/network like any idempotent POST.
 */
import type { Redactor } from "../audit/redactor.js";
import { AuthenticationError } from "../errors.js";
import { errorFromResponse, errorFromTokenResponse, parseJson } from "./errors-from-response.js";
import { newIdempotencyKey } from "./idempotency-key.js";
import { runWithRetries } from "./retry-loop.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { RawResponse, Transport } from "./transport.js";
import type { ClientAuth } from "./types.js";

export interface TokenGrant {
  accessToken: string;
  expiresInSeconds: number;
  scopes: string[];
}

export interface OAuthOptions {
  baseUrl: string;
  auth: ClientAuth;
  tokenUrl?: string;
  scopes?: string[];
  transport: Transport;
  policy: RetryPolicy;
  timeoutMs: number;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  redactor: Redactor;
  userAgent: string;
  /** Trace hooks for token and discovery requests, like the API's (headers redacted by the caller). */
  onRequest?: (info: {
    method: string;
    url: string;
    attempt: number;
    headers: Record<string, string>;
  }) => void;
  onResponse?: (info: {
    method: string;
    url: string;
    attempt: number;
    status: number;
    latencyMs: number;
  }) => void;
  onRetry?: (info: {
    url: string;
    attempt: number;
    reason: string;
    status?: number;
    delayMs: number;
  }) => void;
}

/** The endpoints the discovery document names (RFC 8414). */
interface DiscoveredEndpoints {
  token: string;
  revocation?: string;
}

export class OAuthClient {
  private discovered: Promise<DiscoveredEndpoints> | undefined;

  constructor(private readonly options: OAuthOptions) {}

  /** The token endpoint: given, or read once from `/.well-known/openid-configuration`. */
  tokenEndpoint(): Promise<string> {
    if (this.options.tokenUrl) return Promise.resolve(this.options.tokenUrl);
    return this.endpoints().then((e) => e.token);
  }

  /** The discovery document's endpoints, read once (a failed discovery is not remembered). */
  private endpoints(): Promise<DiscoveredEndpoints> {
    if (!this.discovered) {
      this.discovered = this.discover();
      this.discovered.catch(() => {
        this.discovered = undefined;
      });
    }
    return this.discovered;
  }

  /** The client's own authentication, as a header (HTTP Basic) or form fields (client_secret_post). */
  private authenticate(form: URLSearchParams, headers: Record<string, string>): void {
    const { auth } = this.options;
    if (auth.type === "accessKey" || auth.authMethod !== "post")
      headers.authorization = basic(auth.clientId, auth.clientSecret);
    else {
      form.set("client_id", auth.clientId);
      form.set("client_secret", auth.clientSecret);
    }
  }

  /**
   * Revokes `token` at the revocation endpoint the discovery document names (RFC 7009). Resolves
   * once the server answered 200: from then on the token is refused.
   */
  async revokeToken(token: string): Promise<void> {
    const { revocation } = await this.endpoints();
    if (revocation === undefined)
      throw new AuthenticationError(
        `the server at ${this.options.baseUrl} names no revocation_endpoint in its discovery document, so its tokens cannot be revoked; they expire on their own`,
        { attempts: 1 },
      );
    const form = new URLSearchParams({ token, token_type_hint: "access_token" });
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      "user-agent": this.options.userAgent,
    };
    this.authenticate(form, headers);
    // Revoking twice answers 200 as well: safe to retry like an idempotent request.
    await this.postForm(revocation, headers, form);
  }

  /** POSTs a form to an OAuth endpoint (retried like an idempotent request); anything but 200 throws. */
  private async postForm(
    url: string,
    headers: Record<string, string>,
    form: URLSearchParams,
  ): Promise<{ response: RawResponse; attempts: number }> {
    const { response, attempts, retryAfterMs } = await this.send("POST", url, headers, form.toString(), true);
    if (response.status !== 200)
      throw errorFromTokenResponse(response, {
        method: "POST",
        path: pathOf(url),
        attempts,
        redactor: this.options.redactor,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    return { response, attempts };
  }

  async requestToken(): Promise<TokenGrant> {
    const url = await this.tokenEndpoint();
    const { auth, scopes } = this.options;
    const form = new URLSearchParams();
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      "user-agent": this.options.userAgent,
      "idempotency-key": newIdempotencyKey(),
    };
    if (auth.type === "accessKey") {
      form.set("grant_type", "password");
      form.set("username", auth.accessKeyId);
      form.set("password", auth.accessKeySecret);
    } else form.set("grant_type", "client_credentials");
    this.authenticate(form, headers);
    if (scopes && scopes.length > 0) form.set("scope", scopes.join(" "));
    const { response, attempts } = await this.postForm(url, headers, form);
    const json = parseJson(response.text) as Record<string, unknown> | undefined;
    const token = json?.access_token;
    if (typeof token !== "string" || token === "")
      throw new AuthenticationError(`the token endpoint ${pathOf(url)} answered without an access_token`, {
        status: response.status,
        attempts,
      });
    this.options.redactor.register(token);
    const expiresIn = Number(json?.expires_in);
    const granted = typeof json?.scope === "string" ? json.scope.split(" ").filter(Boolean) : (scopes ?? []);
    return {
      accessToken: token,
      expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600,
      scopes: granted,
    };
  }

  private async discover(): Promise<DiscoveredEndpoints> {
    const url = `${this.options.baseUrl}/.well-known/openid-configuration`;
    const headers = { accept: "application/json", "user-agent": this.options.userAgent };
    const { response, attempts } = await this.send("GET", url, headers, undefined, false);
    const doc = parseJson(response.text) as Record<string, unknown> | undefined;
    if (response.status !== 200 || typeof doc !== "object" || doc === null) {
      const err = errorFromResponse(response, {
        method: "GET",
        path: pathOf(url),
        attempts,
        redactor: this.options.redactor,
      });
      throw new AuthenticationError(
        `OAuth discovery at ${url} failed (HTTP ${response.status}: ${err.message}); pass tokenUrl or check the base URL`,
        { status: response.status, attempts },
      );
    }
    const revocation =
      typeof doc.revocation_endpoint === "string" ? { revocation: doc.revocation_endpoint } : {};
    if (typeof doc.token_endpoint === "string") return { token: doc.token_endpoint, ...revocation };
    if (typeof doc.issuer === "string")
      return { token: `${doc.issuer.replace(/\/+$/, "")}/oauth2/token`, ...revocation };
    throw new AuthenticationError(`OAuth discovery at ${url} names no token_endpoint; pass tokenUrl`, {
      attempts,
    });
  }

  private send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    hasIdempotencyKey: boolean,
  ): Promise<{ response: RawResponse; attempts: number; retryAfterMs?: number }> {
    const o = this.options;
    return runWithRetries(
      async (attempt) => {
        o.onRequest?.({ method, url, attempt, headers });
        const started = o.clock();
        const response = await o.transport({
          method,
          url,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: o.timeoutMs,
        });
        o.onResponse?.({ method, url, attempt, status: response.status, latencyMs: o.clock() - started });
        return response;
      },
      {
        traits: { method, hasIdempotencyKey, hasVersion: false },
        policy: o.policy,
        clock: o.clock,
        sleep: o.sleep,
        random: o.random,
        onRetry: (e) => o.onRetry?.({ url, ...e }),
      },
    );
  }
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
function basic(id: string, secret: string): string {
  const pair = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
