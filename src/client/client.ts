/**
 * `createClient`: wires the layers of one request — token cache → retry loop → pacer → transport —
 * and the resources on top. Each layer lives in its own file.
 */
import { Agent, type Dispatcher } from "undici";
import { defaultRedactor } from "../audit/redactor.js";
import { AbortError, CxdaError } from "../errors.js";
import { API_VERSION } from "./api-version.js";
import { capabilitiesReader } from "./capabilities.js";
import { errorFromResponse, parseJson } from "./errors-from-response.js";
import { HookCaller } from "./hooks.js";
import { newIdempotencyKey } from "./idempotency-key.js";
import { MetricsRecorder } from "./metrics.js";
import { OAuthClient } from "./oauth.js";
import { Pacer } from "./pacer.js";
import { paginatePages } from "./paginate.js";
import { actionsResource } from "./resources/actions.js";
import { buildsResource } from "./resources/builds.js";
import { changesetsResource } from "./resources/changesets.js";
import { deploymentsResource } from "./resources/deployments.js";
import { environmentsResource } from "./resources/environments.js";
import { globalVariablesResource } from "./resources/global-variables.js";
import { keysResource } from "./resources/keys.js";
import { overridesResource } from "./resources/overrides.js";
import { revisionsResource } from "./resources/revisions.js";
import { snapshotResource } from "./resources/snapshot.js";
import { testRunsResource } from "./resources/test-runs.js";
import { variablesResource } from "./resources/variables.js";
import { type FirstAttempt, type LoopResult, runWithRetries } from "./retry-loop.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";
import { TokenCache } from "./token-cache.js";
import { createTransport, type RawRequest, type RawResponse } from "./transport.js";
import type {
  ApiResponse,
  AuthCheck,
  ClientOptions,
  CxdaClient,
  Page,
  Query,
  RequestOptions,
} from "./types.js";

export type {
  Action,
  ActionInput,
  ApiResponse,
  AuthCheck,
  ClientAuth,
  ClientHooks,
  ClientMetrics,
  ClientOptions,
  CxdaClient,
  ErrorInfo,
  Page,
  RequestInfo,
  RequestOptions,
  ResponseInfo,
  RetryInfo,
  RetryOptions,
} from "./types.js";

const API_PREFIX = `/api/${API_VERSION}`;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 8;

export function createClient(options: ClientOptions): CxdaClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const basePath = new URL(baseUrl).pathname.replace(/\/$/, "");
  const redactor = options.redactor ?? defaultRedactor;
  redactor.register(options.auth.clientSecret);
  if (options.auth.type === "accessKey") redactor.register(options.auth.accessKeySecret);

  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(options.retry ?? {}) };
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.userAgent ?? `cxda/0.1.0 node/${process.versions.node}`;
  const ownAgent = options.dispatcher ? undefined : new Agent();
  const dispatcher: Dispatcher = options.dispatcher ?? ownAgent!;
  const transport = createTransport(dispatcher);
  const hooks = new HookCaller(options.hooks, redactor);
  const metrics = new MetricsRecorder();
  const pacer = new Pacer({
    maxConcurrency: options.maxConcurrency ?? DEFAULT_CONCURRENCY,
    maxRetryAfterMs: policy.maxRetryAfterMs,
    defaultPauseMs: policy.baseDelayMs,
    clock,
    sleep,
  });

  const oauth = new OAuthClient({
    baseUrl,
    auth: options.auth,
    ...(options.tokenUrl === undefined ? {} : { tokenUrl: options.tokenUrl }),
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    transport,
    policy,
    timeoutMs,
    clock,
    sleep,
    random,
    redactor,
    userAgent,
    onRequest: (info) => hooks.request(info),
    onResponse: (info) => hooks.response(info),
    onRetry: (e) => {
      metrics.retry();
      hooks.retry({ method: "POST", ...e });
    },
  });
  const tokens = new TokenCache(() => oauth.requestToken(), clock);
  // The headers of a request that adds none of its own, with the current token: one object shared by
  // such requests instead of a copy per request (bench B3). Never mutated once built.
  let plainHeaders = { token: "", headers: {} as Record<string, string> };
  const plainHeadersFor = (accessToken: string): Record<string, string> => {
    if (plainHeaders.token !== accessToken)
      plainHeaders = {
        token: accessToken,
        headers: {
          accept: "application/json",
          "user-agent": userAgent,
          authorization: `Bearer ${accessToken}`,
        },
      };
    return plainHeaders.headers;
  };

  async function request<T = unknown>(
    method: string,
    path: string,
    reqOptions: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const verb = method.toUpperCase();
    const { url, pathname: urlPath } = buildUrl(baseUrl, basePath, path, reqOptions.query);
    const started = clock();
    const headers: Record<string, string> = { accept: "application/json", "user-agent": userAgent };
    let plain = true;
    for (const [name, value] of Object.entries(reqOptions.headers ?? {})) {
      headers[name.toLowerCase()] = value;
      plain = false;
    }
    let body: string | undefined;
    if (reqOptions.body !== undefined) {
      body = JSON.stringify(reqOptions.body);
      headers["content-type"] = reqOptions.contentType ?? headers["content-type"] ?? "application/json";
    }
    if (verb === "POST" && reqOptions.idempotencyKey !== false) {
      headers["idempotency-key"] =
        reqOptions.idempotencyKey || headers["idempotency-key"] || newIdempotencyKey();
    }
    if (reqOptions.ifMatch !== undefined) headers["if-match"] = `"${reqOptions.ifMatch}"`;
    const idempotencyKey = headers["idempotency-key"];
    plain &&= body === undefined && idempotencyKey === undefined && reqOptions.ifMatch === undefined;
    options.beforeSend?.({
      method: verb,
      path: urlPath,
      headers: { ...headers },
      ...(reqOptions.body === undefined ? {} : { body: reqOptions.body }),
    });
    const traits = {
      method: verb,
      hasIdempotencyKey: idempotencyKey !== undefined,
      hasVersion: headers["if-match"] !== undefined || hasBodyVersion(reqOptions.body),
    };

    let sentToken: string | undefined;
    let refreshedOnce = false;
    // The request as the transport takes it; only the authorization changes between attempts.
    const raw: RawRequest = { method: verb, url, headers, timeoutMs };
    if (body !== undefined) raw.body = body;
    if (reqOptions.signal !== undefined) raw.signal = reqOptions.signal;
    const useToken = (token: { accessToken: string }): void => {
      if (sentToken !== token.accessToken) {
        sentToken = token.accessToken;
        raw.headers = plain
          ? plainHeadersFor(token.accessToken)
          : { ...headers, authorization: `Bearer ${token.accessToken}` };
      }
    };
    const once = async (attempt: number): Promise<RawResponse> => {
      metrics.attempt();
      // Hook payloads are built only when a hook listens: they cost on every attempt (bench B3).
      if (options.hooks?.onRequest)
        hooks.request({
          method: verb,
          url,
          attempt,
          headers,
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        });
      const t0 = clock();
      const res = await transport(raw);
      metrics.status(res.status);
      if (options.hooks?.onResponse)
        hooks.response({
          method: verb,
          url,
          attempt,
          status: res.status,
          latencyMs: clock() - t0,
          ...(res.headers["x-request-id"] === undefined ? {} : { requestId: res.headers["x-request-id"] }),
        });
      // After the hook (which redacts, and may take a while): a 429's pause then starts no earlier than
      // the moment the caller was told of it, so nothing is sent before Retry-After has passed by any
      // clock that saw the answer. Still before the slot is released, so no queued attempt slips through.
      pacer.observe(res.status, res.headers);
      return res;
    };
    const send = async (attempt: number): Promise<RawResponse> => {
      useToken(tokens.fresh() ?? (await tokens.get()));
      // A free slot needs no queueing layer (bench B3).
      if (pacer.enterNow()) {
        try {
          return await once(attempt);
        } finally {
          pacer.release();
        }
      }
      return pacer.run(() => once(attempt), reqOptions.signal);
    };

    let attempts = 0;
    try {
      // The common case — a fresh token, a free slot, an answer below 400 — is one attempt made here,
      // without the retry loop's frames (bench B3); anything else continues in the loop from it.
      let first: FirstAttempt | undefined;
      const fresh = tokens.fresh();
      if (fresh && !reqOptions.signal?.aborted && pacer.enterNow()) {
        useToken(fresh);
        try {
          first = { response: await once(1) };
        } catch (error) {
          first = { error };
        } finally {
          pacer.release();
        }
      }
      const result: LoopResult =
        first && "response" in first && first.response.status < 400
          ? { response: first.response, attempts: 1 }
          : await runWithRetries(send, {
              ...(first ? { first } : {}),
              traits,
              policy,
              clock,
              sleep,
              random,
              pacer,
              ...(reqOptions.signal === undefined ? {} : { signal: reqOptions.signal }),
              onRetry: (e) => {
                metrics.retry();
                hooks.retry({
                  method: verb,
                  url,
                  ...e,
                  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
                });
              },
              // A 401 invalid_token drops the cache, fetches one new token and retries once.
              repeatAtOnce: async (res) => {
                if (res.status !== 401 || refreshedOnce || !isInvalidToken(res)) return false;
                refreshedOnce = true;
                tokens.invalidate(sentToken);
                return true;
              },
            });
      attempts = result.attempts;
      const { response } = result;
      if (response.status < 200 || response.status >= 300) {
        throw errorFromResponse(response, {
          method: verb,
          path: urlPath,
          attempts,
          redactor,
          ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
        });
      }
      const latencyMs = clock() - started;
      metrics.finished(latencyMs, true);
      return toApiResponse<T>(response, attempts, latencyMs, idempotencyKey, reqOptions.responseType);
    } catch (error) {
      const failure = toCxdaError(error, verb, urlPath);
      failure.message = redactor.redactString(failure.message);
      metrics.finished(clock() - started, false);
      hooks.error({
        method: verb,
        url,
        attempts: failure.attempts || attempts,
        error: {
          name: failure.name,
          message: failure.message,
          ...(failure.status === undefined ? {} : { status: failure.status }),
          ...(failure.slug === undefined ? {} : { slug: failure.slug }),
          ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
        },
      });
      throw failure;
    }
  }

  function paginate<T>(
    path: string,
    query: Query = {},
    pageOptions: { pageSize?: number } = {},
  ): AsyncIterable<T> {
    return paginatePages<T>(
      async (page, pageSize) =>
        (await request<Page<T>>("GET", path, { query: { ...query, page, pageSize } })).body,
      pageOptions.pageSize,
    );
  }

  const requester = { request, paginate };
  const capabilities = capabilitiesReader(requester);
  const client: CxdaClient = {
    baseUrl,
    clientId: options.auth.clientId,
    redactor,
    request,
    paginate,
    actions: actionsResource(requester),
    variables: variablesResource(requester),
    globalVariables: globalVariablesResource(requester),
    overrides: overridesResource(requester),
    environments: environmentsResource(requester),
    builds: buildsResource(requester),
    testRuns: testRunsResource(requester),
    keys: keysResource(requester),
    snapshot: snapshotResource(requester, capabilities),
    changesets: changesetsResource(requester, capabilities),
    deployments: deploymentsResource(requester, capabilities),
    revisions: revisionsResource(requester, capabilities),
    auth: {
      async check(): Promise<AuthCheck> {
        const token = tokens.fresh() ?? (await tokens.get());
        const tokenEndpoint = await oauth.tokenEndpoint();
        return {
          clientId: options.auth.clientId,
          scopes: token.scopes,
          expiresAt: new Date(token.expiresAt).toISOString(),
          expiresInSeconds: Math.max(0, Math.floor((token.expiresAt - clock()) / 1000)),
          tokenEndpoint,
        };
      },
      async revoke() {
        const held = tokens.held();
        if (held === undefined) return { revoked: false };
        await oauth.revokeToken(held.accessToken);
        tokens.invalidate(held.accessToken);
        return { revoked: true };
      },
    },
    metrics: () => metrics.snapshot(),
    async close() {
      await ownAgent?.close();
    },
  };
  return client;
}

// Path characters that need no encoding (RFC 3986 unreserved, sub-delims used in ids, "/", ":", "@").
const PLAIN_PATH = /^[A-Za-z0-9\-._~/:@!$&'()*+,;=]*$/;

/** The request URL and its path; a plain path with no query skips the URL parser (bench B3). */
function buildUrl(
  baseUrl: string,
  basePath: string,
  path: string,
  query: Query | undefined,
): { url: string; pathname: string } {
  // "" is the API root itself (`GET /api/v2`).
  const rel = path === "" || path.startsWith("/") ? path : `/${path}`;
  const hasQuery = query !== undefined && Object.values(query).some((v) => v !== undefined);
  if (!hasQuery && PLAIN_PATH.test(rel))
    return { url: `${baseUrl}${API_PREFIX}${rel}`, pathname: `${basePath}${API_PREFIX}${rel}` };
  const url = new URL(`${baseUrl}${API_PREFIX}${rel}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return { url: url.toString(), pathname: url.pathname };
}

function toApiResponse<T>(
  res: RawResponse,
  attempts: number,
  latencyMs: number,
  idempotencyKey: string | undefined,
  responseType: RequestOptions["responseType"],
): ApiResponse<T> {
  const etag = res.headers.etag?.match(/^(?:W\/)?"?(\d+)"?$/);
  const requestId = res.headers["x-request-id"];
  return {
    status: res.status,
    body: (responseType === "text" ? res.text : parseJson(res.text)) as T,
    headers: res.headers,
    ...(requestId === undefined ? {} : { requestId }),
    ...(etag?.[1] === undefined ? {} : { version: Number(etag[1]) }),
    attempts,
    latencyMs,
    replayed: res.headers["idempotent-replayed"] === "true",
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

/** RFC 6750 §3: `WWW-Authenticate: Bearer error="invalid_token"`; a bare 401 is treated alike. */
function isInvalidToken(res: RawResponse): boolean {
  const challenge = res.headers["www-authenticate"];
  return challenge === undefined || /invalid_token/i.test(challenge);
}

function hasBodyVersion(body: unknown): boolean {
  return (
    typeof body === "object" && body !== null && typeof (body as { version?: unknown }).version === "number"
  );
}

function toCxdaError(error: unknown, method: string, path: string): CxdaError {
  if (error instanceof CxdaError) return error;
  if (error instanceof Error && error.name === "AbortError")
    return new AbortError(`${method} ${path} was aborted`, { cause: error });
  return new CxdaError(
    `${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError("the wait was aborted"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError("the wait was aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
