/**
 * The cxda emulator: the reference server of the Data Actions API.
 *
 * Extension points for later issues:
 * - a route module per resource in `routes/` (`registerXRoutes(app, ctx)`), called from `buildApp`;
 *   operation logic in `handlers/`, storage behind `store/store.ts` (one tenant-scoped table each);
 * - `ctx.authenticate(request, scope)` first in every /api/v2 route (401/403);
 * - `ProblemError` / `problemFromIssues` (problem.ts) for every error answer (RFC 9457);
 * - `ctx.idempotency.run(request, tenantId, body, handler)` around any POST;
 * - `checkVersion` / `etagOf` (versioning.ts) for any versioned resource;
 * - `ctx.expand.register(name, expander)` to embed a sub-resource in action lists.
 *
 * Every request passes one `onRequest` hook (request id, test-hook guard, faults, rate limit) and one
 * `onSend` hook (X-Request-Id and RateLimit-* headers, delay and drop faults); everything that is not
 * a ProblemError still ends as a problem body, never fastify's default.
 */
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { TENANT_REVISION_HEADER } from "../domain/tenant-revision.js";
import { NetworkError, ValidationError } from "../errors.js";
import { ensurePrivateDir } from "../files/private-files.js";
import { createAccessLogger, type LogFormat, type LogLevel, writeAccessLine } from "./access-log.js";
import { AllowedMethods } from "./allowed-methods.js";
import { makeAuthenticate, resolvePrincipal } from "./auth/authenticate.js";
import { DEFAULT_TOKEN_GUARD, TokenGuard } from "./auth/token-guard.js";
import { type Principal, TokenService } from "./auth/token-service.js";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  type EmulatorConfig,
  type EmulatorConfigInput,
  resolveEmulatorConfig,
} from "./config.js";
import type { EmulatorContext } from "./context.js";
import { KeyringError, loadRootKey, TenantKeyring } from "./crypto/index.js";
import { ExpandRegistry } from "./expand-registry.js";
import { decideExposure, isLoopbackAddress } from "./exposure.js";
import { type FaultEffect, FaultRules, parseFaultHeader } from "./faults.js";
import { CHANGESETS_PATH, MAX_CHANGESET_BYTES } from "./handlers/changesets.js";
import { createLazySandbox } from "./handlers/test-runs.js";
import { IdempotencyGuard } from "./idempotency.js";
import { defaultIssuer, issuerFor, isWildcardHost, parsePublicUrl } from "./issuer.js";
import { parseJsonBody } from "./json-body.js";
import { ProblemError, problemBody, problemResponse, slugForStatus } from "./problem.js";
import { type RateDecision, RateLimiter, type RateLimits, rateDecision } from "./rate-limiter.js";
import { REPLICA_HEADER, resolveReplicaId } from "./replicas/replica-id.js";
import {
  databaseUnavailable,
  isDatabaseUnavailable,
  openSharedState,
  type SharedState,
} from "./replicas/shared-state.js";
import { applyToStore, withInvalidationPublishing } from "./replicas/store-invalidation.js";
import { send } from "./reply.js";
import { currentClientId, enterRequestContext } from "./request-context.js";
import { RequestLog, type RequestLogEntry } from "./request-log.js";
import { isUnder, normaliseRequestTarget, pathOf } from "./request-path.js";
import type { RequestState } from "./request-state.js";
import { type ResponseExchange, responseObservers } from "./response-observers.js";
import { registerActionRoutes } from "./routes/actions.js";
import { registerApiIndexRoutes } from "./routes/api-index.js";
import { registerChangesetRoutes } from "./routes/changesets.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerHistoryRoutes } from "./routes/history.js";
import { registerKeyRoutes } from "./routes/keys.js";
import { OAuthError, registerOAuthRoutes, sendOAuthError } from "./routes/oauth.js";
import { registerOpenApiRoutes } from "./routes/openapi.js";
import { registerOverrideRoutes } from "./routes/overrides.js";
import { registerSnapshotRoutes } from "./routes/snapshot.js";
import { registerTestHookRoutes, TEST_HOOKS_PREFIX } from "./routes/test-hooks.js";
import { registerTestRunRoutes } from "./routes/test-runs.js";
import { registerVariableRoutes } from "./routes/variables.js";
import { DatabaseUnavailableError } from "./store/database-errors.js";
import { isPostgresUrl, openPostgresStore, type PostgresStoreOptions } from "./store/postgres-store.js";
import { withSealedHeaders } from "./store/sealed-doc.js";
import { openSqliteStore } from "./store/sqlite-store.js";
import type { Store } from "./store/store.js";

export { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID };

export const API_PREFIX = "/api/v2";
export const MAX_BODY_BYTES = 1024 * 1024;

export interface EmulatorOptions {
  /**
   * Interface to bind; default 127.0.0.1 (loopback only). Any other address needs clients from
   * `config`/`configFile` (the demo client is refused there) and keeps the test hooks off by default.
   */
  host?: string;
  /** Start even when `<dataDir>/root.key` is readable by others than its owner (a warning instead). */
  insecureKeyPermissions?: boolean;
  /** Serve the `/_emulator` test hooks (to loopback clients only); default: on for a loopback bind only. */
  testHooks?: boolean;
  /** Port; default 8787; 0 = a free port. */
  port?: number;
  /**
   * The URL clients use to reach the emulator (`https://cxda.example`): the OAuth issuer and every
   * advertised URL. Overrides `publicUrl` of the config. Default: each loopback request's Host, else the bind address.
   */
  publicUrl?: string;
  /** Directory of the SQLite database; state survives restarts. */
  dataDir?: string;
  /** Keep state in memory only (the default when no dataDir is given). */
  inMemory?: boolean;
  /**
   * A PostgreSQL URL (`postgres://user@host:5432/db`) to keep state in instead of SQLite, so several
   * emulators can share it; overrides `database` of the config. A dataDir then only holds root.key.
   */
  database?: string;
  config?: EmulatorConfigInput;
  configFile?: string;
  rateLimit?: { perMinute: number; burst: number };
  tokenTtlSeconds?: number;
  sandbox?: { timeoutMs: number; memoryMb: number };
  /** Capabilities to leave out of `GET /api/v2`, their endpoints answering 404 (e.g. `["snapshot"]`). */
  disableCapabilities?: readonly string[];
  /** History kept (overrides `history` of the config): revisions per action, deployments per tenant. */
  history?: { revisionsPerAction?: number; deploymentsPerTenant?: number };
  /** Epoch milliseconds; injected by tests (token expiry, timestamps, rate limit, idempotency TTL). */
  clock?: () => number;
  /** Random source of fault-rule probabilities; default Math.random. */
  random?: () => number;
  /** Newest entries kept by `GET /_emulator/requests` (default 10 000); older ones are counted as dropped. */
  requestLogCapacity?: number;
  /** Access log level (default `silent`: nothing is logged in-process); `cxda emulator start` uses `info`. */
  logLevel?: LogLevel;
  /** `json` (default) or `pretty` (pino-pretty). */
  logFormat?: LogFormat;
  /** Where access log lines go (default standard error). */
  logDestination?: Writable;
  /**
   * This replica's id (`--replica-id`): on `GET /healthz` and the `X-Cxda-Replica` header of test-hook
   * responses. Default: `r-` and 8 random hex characters.
   */
  replicaId?: string;
  /**
   * A PostgreSQL URL the replicas of one deployment share: rate-limit buckets and cache invalidations
   * (`LISTEN`/`NOTIFY`). Without it the rate limiter is this process's own.
   */
  sharedDatabase?: string;
  /**
   * How long close() lets in-flight requests finish before cutting their connections (default 10 000 ms).
   */
  shutdownGraceMs?: number;
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8787`; the API lives under `/api/v2`. */
  url: string;
  /** The configured public URL (the issuer), when one was given. */
  publicUrl?: string;
  port: number;
  host: string;
  config: EmulatorConfig;
  store: Store;
  /** Every route the server registered (method and fastify URL pattern), HEAD routes included. */
  routes: readonly { method: string; url: string }[];
  /** This replica's id (`GET /healthz`, `X-Cxda-Replica`). */
  replicaId: string;
  /** What the operator should know (a network bind, loosened file modes); the CLI prints them. */
  warnings: string[];
  /**
   * Graceful shutdown, safe to call twice: no new connection is taken, in-flight
   * requests finish (for at most `shutdownGraceMs`), then the sandbox and the database close.
   */
  close(): Promise<void>;
}

function stateOf(request: FastifyRequest): RequestState {
  if (!request.emu)
    request.emu = {
      requestId: request.id,
      path: pathOf(request.url),
      pendingDelayMs: 0,
      startedAt: performance.now(),
    };
  return request.emu;
}

/**
 * A client's rate-limit bucket key, one string per verified principal (TokenService keeps them): its hash
 * is computed once, not a new string hashed on every request (bench B4).
 */
const clientKeys = new WeakMap<Principal, string>();

function clientKey(principal: Principal): string {
  let key = clientKeys.get(principal);
  if (key === undefined) {
    key = `client:${principal.clientId}`;
    clientKeys.set(principal, key);
  }
  return key;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Whether a successful request may have changed what other replicas cache of its tenant: a write
 * method, except a test run (`POST …/dataactions/{id}/test`), which changes nothing they keep.
 */
function announcesWrite(method: string, path: string, status: number): boolean {
  return (
    WRITE_METHODS.has(method) && status < 400 && !/\/dataactions\/[^/]+\/test$/.test(path.split("?")[0] ?? "")
  );
}

/** The headers' figures; when the database does not answer, an empty bucket (never a made-up allowance). */
async function peekRate(limiter: RateLimits, key: string) {
  try {
    return await limiter.peek(key);
  } catch {
    return rateDecision(limiter.perMinute, limiter.burst, 0, "peeked");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Framework errors (body too large, bad media type, …) as SPEC problems. */
function toProblem(error: unknown, path = ""): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof DatabaseUnavailableError)
    return new ProblemError(
      "service-unavailable",
      "The emulator's database does not answer right now; retry after the time Retry-After gives.",
      { status: 503, headers: { "retry-after": String(error.retryAfterSeconds) } },
    );
  const e = error as Partial<FastifyError>;
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      if (isUnder(path, CHANGESETS_PATH))
        return new ProblemError(
          "changeset-too-large",
          `A changeset request is limited to ${MAX_CHANGESET_BYTES} bytes (8 MiB); split it into batches of a staged changeset ({"staged": true}).`,
        );
      return new ProblemError(
        "payload-too-large",
        `Request bodies are limited to ${MAX_BODY_BYTES} bytes (1 MiB).`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ProblemError(
        "unsupported-media-type",
        "This Content-Type is not accepted; send application/json.",
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ProblemError("malformed-json", "The request body is empty; send a JSON document.");
  }
  const status = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (status >= 400 && status < 500)
    return new ProblemError(
      slugForStatus(status) ?? "validation-failed",
      `The request was refused (${e.code ?? "bad request"}).`,
      {
        status,
      },
    );
  return new ProblemError("internal-error", "The emulator failed on this request; this is a bug in cxda.", {
    status: 500,
  });
}

/**
 * Requests Node's HTTP parser refuses (a bare CR/LF or another bad byte in the head, a head over
 * 16 KiB) never reach a route; they get a problem with an X-Request-Id too, not fastify's
 * default JSON.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const requestId = randomUUID();
  const body = JSON.stringify(
    problemBody(
      tooLarge ? "header-too-large" : "malformed-request",
      tooLarge ? 431 : 400,
      tooLarge
        ? "The request head is larger than 16 KiB; send fewer or shorter headers."
        : "The HTTP request could not be parsed (e.g. a bare CR or LF or another invalid byte in a header); fix the request framing.",
      requestId,
    ),
  );
  socket.end(
    `HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\nx-request-id: ${requestId}\r\ncontent-type: application/problem+json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function buildApp(ctx: EmulatorContext, routes: { method: string; url: string }[]): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    genReqId: () => randomUUID(),
    requestTimeout: 60_000,
    // On close, idle keep-alive sockets go at once and in-flight requests finish (close() below
    // bounds the wait by shutdownGraceMs, then cuts what is left).
    forceCloseConnections: "idle",
    // Guards, fault rules, the rate limiter and the router all read this one normalised path.
    rewriteUrl: (request) => normaliseRequestTarget(request.url ?? "/"),
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => {
      const state = stateOf(request);
      const problem = toProblem(error, state.path);
      reply.header("x-request-id", state.requestId);
      send(reply, problemResponse(problem, state.requestId));
    },
  });
  app.decorateRequest("emu", null as unknown as RequestState);
  // First hook: later hooks and the handler run with this request as the async context, so the store
  // can record which client made a write (request-context.ts).
  app.addHook("onRequest", enterRequestContext);
  const allowed = new AllowedMethods();
  allowed.collect(app);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "application/merge-patch+json"],
    { parseAs: "string" },
    (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => done(null, body),
  );

  // Not async: a request with no fault on a synchronous rate limiter (SQLite) passes without a promise;
  // the rest returns one (fastify waits for it). Part of B4's cut of the CPU per request.
  app.addHook("onRequest", (request, reply, done) => {
    const state = stateOf(request);
    reply.header("x-request-id", state.requestId);
    const loopback = isLoopbackAddress(request.socket.remoteAddress);
    // The normalised path, and the route the router chose, as a second opinion.
    if (
      isUnder(state.path, TEST_HOOKS_PREFIX) ||
      isUnder(request.routeOptions.url ?? "", TEST_HOOKS_PREFIX)
    ) {
      if (!ctx.testHooks)
        throw new ProblemError(
          "forbidden",
          "The /_emulator test hooks are off on this emulator (the default when it listens on a network address). Restart it with --test-hooks (startEmulator testHooks: true) to serve them to loopback clients.",
        );
      if (!loopback)
        throw new ProblemError(
          "forbidden",
          "The /_emulator test hooks answer loopback clients only; call them from the emulator's own machine (127.0.0.1).",
        );
      // Faults and the request log are this replica's own: say which one answered.
      reply.header(REPLICA_HEADER, ctx.replicaId);
      done();
      return;
    }
    const header = request.headers["x-emulator-fault"];
    const fault =
      loopback && ctx.testHooks && typeof header === "string"
        ? parseFaultHeader(header)
        : ctx.faults.match(request.method, state.path);
    if (fault) {
      state.fault = fault;
      if (fault.reset) {
        logRequest(ctx, request, null);
        request.socket.destroy();
        reply.hijack();
        done();
        return;
      }
      if (fault.status !== null) return injectStatusFault(fault, fault.status);
      state.pendingDelayMs = fault.delayMs;
    }
    if (!isUnder(state.path, API_PREFIX)) {
      done();
      return;
    }
    const principal = resolvePrincipal(request, ctx.tokens);
    const key = principal ? clientKey(principal) : `ip:${request.ip}`;
    const decision = ctx.rateLimiter.take(key);
    if ("then" in decision) return sharedRate(state, decision);
    admit(state, decision);
    done();
  });

  async function injectStatusFault(fault: FaultEffect, status: number): Promise<void> {
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    throw new ProblemError(
      slugForStatus(status) ?? "internal-error",
      "Fault injected by the emulator (X-Emulator-Fault header or a /_emulator/faults rule).",
      {
        status,
        headers: fault.retryAfter === null ? {} : { "retry-after": String(fault.retryAfter) },
      },
    );
  }

  /** The shared limiter (PostgreSQL) answers asynchronously; a database that does not answer → 503. */
  async function sharedRate(state: RequestState, pending: Promise<RateDecision>): Promise<void> {
    let decision: RateDecision;
    try {
      decision = await pending;
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw databaseUnavailable();
      throw error;
    }
    admit(state, decision);
  }

  /** Records the rate decision (for the headers); a refusal is the 429. */
  function admit(state: RequestState, decision: RateDecision): void {
    state.rate = decision;
    if (!decision.allowed)
      throw new ProblemError(
        "rate-limited",
        `Too many requests: this client may send ${ctx.rateLimiter.perMinute} per minute with bursts of ${ctx.rateLimiter.burst}; retry after ${decision.retryAfterSeconds} s.`,
        { headers: { "retry-after": String(decision.retryAfterSeconds ?? 1) } },
      );
  }

  // Not async: an answer that waits for nothing (rate already taken, no write to announce, no delay
  // fault) passes without a promise; the others return one (bench B4).
  app.addHook("onSend", (request, reply, payload, done) => {
    const state = stateOf(request);
    reply.header("x-request-id", state.requestId);
    const api = isUnder(state.path, API_PREFIX);
    if ((api && state.rate === undefined) || announces(request, reply, state) || state.pendingDelayMs > 0)
      return sendAfterWaits(request, reply, payload, state, api);
    if (api) apiHeaders(reply, state, state.rate!);
    done(null, finishSend(request, reply, payload, state));
  });

  /** The rate-limit figures and the tenant's revision, on every /api/v2 answer. */
  function apiHeaders(reply: FastifyReply, state: RequestState, rate: RateDecision): void {
    reply.header("ratelimit-limit", String(rate.limit));
    reply.header("ratelimit-remaining", String(rate.remaining));
    reply.header("ratelimit-reset", String(rate.resetSeconds));
    reply.header("ratelimit-policy", ctx.rateLimiter.policy);
    // The tenant's revision after this request; a route that read at one revision set it already.
    if (state.principal && !reply.hasHeader(TENANT_REVISION_HEADER))
      reply.header(TENANT_REVISION_HEADER, String(ctx.store.revision(state.principal.tenantId)));
  }

  /** A write is announced to the other replicas before it is acknowledged. */
  function announces(request: FastifyRequest, reply: FastifyReply, state: RequestState): boolean {
    return (
      ctx.replicaWrites !== undefined &&
      !!state.principal &&
      announcesWrite(request.method, state.path, reply.statusCode)
    );
  }

  async function sendAfterWaits(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    state: RequestState,
    api: boolean,
  ): Promise<unknown> {
    const principal = state.principal;
    if (api)
      apiHeaders(
        reply,
        state,
        state.rate ??
          (await peekRate(ctx.rateLimiter, principal ? clientKey(principal) : `ip:${request.ip}`)),
      );
    if (announces(request, reply, state)) await ctx.replicaWrites?.(principal!.tenantId);
    if (state.pendingDelayMs > 0) {
      const ms = state.pendingDelayMs;
      state.pendingDelayMs = 0;
      await sleep(ms);
    }
    return finishSend(request, reply, payload, state);
  }

  function finishSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, state: RequestState) {
    if (responseObservers.size > 0) observe(request, reply, payload);
    if (state.fault?.drop) {
      // A `drop` fault: the request was handled and committed; now the connection dies with no response.
      logRequest(ctx, request, reply.statusCode);
      request.socket.destroy();
    }
    return payload;
  }

  // Takes `done` rather than being async: one promise (and async hook) less per request (bench B4).
  app.addHook("onResponse", (request, reply, done) => {
    if (!stateOf(request).logged) logRequest(ctx, request, reply.statusCode, reply);
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const state = stateOf(request);
    if (state.path.startsWith("/oauth2/")) {
      const problem = toProblem(error);
      for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
      return sendOAuthError(
        reply,
        new OAuthError(
          problem.status >= 500 ? "server_error" : "invalid_request",
          problem.message,
          problem.status,
        ),
      );
    }
    return send(reply, problemResponse(toProblem(error, state.path), state.requestId));
  });

  app.setNotFoundHandler((request, reply) => {
    const state = stateOf(request);
    const allow = allowed.of(state.path);
    if (allow.length > 0)
      return send(
        reply,
        problemResponse(
          new ProblemError(
            "method-not-allowed",
            `${request.method.slice(0, 20)} is not allowed on ${state.path.slice(0, 200)}; use ${allow.join(", ")}.`,
            { headers: { allow: allow.join(", ") } },
          ),
          state.requestId,
        ),
      );
    return send(
      reply,
      problemResponse(
        new ProblemError(
          "not-found",
          `No route ${request.method} ${state.path.slice(0, 200)}; the API lives under ${API_PREFIX}.`,
        ),
        state.requestId,
      ),
    );
  });

  registerOAuthRoutes(app, ctx);
  registerOpenApiRoutes(app);
  registerHealthRoutes(app, ctx);
  registerApiIndexRoutes(app, ctx);
  registerActionRoutes(app, ctx);
  const builds = registerOverrideRoutes(app, ctx);
  registerVariableRoutes(app, ctx);
  registerSnapshotRoutes(app, ctx);
  registerChangesetRoutes(app, ctx, builds);
  registerHistoryRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerTestRunRoutes(app, ctx);
  registerTestHookRoutes(app, ctx);
  return app;
}

/** Hands the finished response to the registered observers (a test hook; see response-observers.ts). */
function observe(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  const body =
    typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : undefined;
  const exchange: ResponseExchange = {
    method: request.method,
    path: stateOf(request).path.split("?")[0] ?? "",
    route: request.routeOptions.url,
    status: reply.statusCode,
    headers,
    body,
    faulted: stateOf(request).fault?.status != null,
  };
  for (const observer of responseObservers) observer(exchange);
}

function faultKind(fault: FaultEffect): "reset" | "drop" | "status" | "delay" {
  return fault.reset ? "reset" : fault.drop ? "drop" : fault.status !== null ? "status" : "delay";
}

/** One entry in `GET /_emulator/requests` (test hooks excluded) and one access log line (all requests). */
function logRequest(
  ctx: EmulatorContext,
  request: FastifyRequest,
  status: number | null,
  reply?: FastifyReply,
): void {
  const state = stateOf(request);
  if (state.logged) return;
  state.logged = true;
  const fault = state.fault;
  const clientId = state.clientId ?? state.principal?.clientId ?? null;
  if (ctx.accessLog)
    writeAccessLine(ctx.accessLog, {
      reqId: state.requestId,
      tenant: state.tenantId ?? state.principal?.tenantId ?? null,
      clientId,
      method: request.method,
      route: request.routeOptions.url ?? null,
      status,
      durationMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
      ...(fault ? { fault: faultKind(fault) } : {}),
    });
  if (isUnder(state.path, TEST_HOOKS_PREFIX)) return;
  const key = request.headers["idempotency-key"];
  const ifMatch = request.headers["if-match"];
  const retryAfter = status === 429 || status === 503 ? reply?.getHeader("retry-after") : undefined;
  // Built in place, in the key order of GET /_emulator/requests: no spread of empty objects per request (bench B4).
  const entry = {
    timestamp: ctx.clock(),
    method: request.method,
    path: state.path,
    status,
    clientId,
    idempotencyKey: typeof key === "string" ? key : null,
    faulted: fault !== undefined,
  } as Omit<RequestLogEntry, "seq">;
  if (fault) entry.fault = faultKind(fault);
  if (retryAfter !== undefined) entry.retryAfter = Number(retryAfter);
  if (typeof ifMatch === "string") entry.ifMatch = ifMatch;
  if (state.replayed) entry.replayed = true;
  entry.requestId = state.requestId;
  ctx.requestLog.add(entry);
}

/** The root key: CXDA_EMULATOR_ROOT_KEY, else `<dataDir>/root.key` (0600), else a key for this process only. */
function loadEmulatorRootKey(
  dataDir: string | undefined,
  allowInsecurePermissions: boolean,
  warnings: string[],
): Buffer {
  try {
    const loaded = loadRootKey(dataDir === undefined ? {} : { dataDir, allowInsecurePermissions });
    if (loaded.warning !== undefined) warnings.push(loaded.warning);
    return loaded.key;
  } catch (error) {
    if (error instanceof KeyringError)
      throw new ValidationError(error.message, { slug: "validation-failed" });
    throw error;
  }
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Stops taking requests and waits for those in flight, for at most `graceMs`; then cuts the rest. */
async function drain(app: FastifyInstance, graceMs: number): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  // A keep-alive connection whose request finishes during the drain turns idle: close it then too.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
    clearInterval(sweep);
  }
}

/** The PostgreSQL store; a database that does not answer, or no pg-native, is said without a stack. */
function openPostgres(options: PostgresStoreOptions): Store {
  try {
    return openPostgresStore(options);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) throw new NetworkError(error.message);
    if (error instanceof Error) throw new ValidationError(error.message, { slug: "validation-failed" });
    throw error;
  }
}

/** Starts the emulator; throws `ValidationError` (and starts nothing) on a bad config or options. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  if (options.inMemory && options.dataDir !== undefined)
    throw new ValidationError("Choose either a data directory or in-memory state, not both.", {
      slug: "validation-failed",
    });
  const port = options.port ?? 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ValidationError(`port must be a whole number from 0 to 65535, got ${String(port)}.`, {
      slug: "validation-failed",
    });
  const config = resolveEmulatorConfig(options);
  const host = options.host ?? "127.0.0.1";
  const publicUrl =
    options.publicUrl !== undefined
      ? parsePublicUrl(options.publicUrl, "publicUrl")
      : config.publicUrl !== undefined
        ? parsePublicUrl(config.publicUrl, "publicUrl of the emulator config")
        : undefined;
  const exposure = decideExposure({
    host,
    config,
    configGiven: options.config !== undefined || options.configFile !== undefined,
    ...(options.testHooks === undefined ? {} : { testHooks: options.testHooks }),
  });
  const clock = options.clock ?? Date.now;
  const warnings = [...exposure.warnings];
  if (publicUrl === undefined && isWildcardHost(host))
    warnings.push(
      `bound to ${host} without a public URL: OAuth discovery advertises the request's own address to loopback clients and http://127.0.0.1:PORT to all others; set --public-url (or publicUrl in the config) to the URL clients use`,
    );
  const dataDir = options.inMemory ? undefined : options.dataDir;
  if (dataDir !== undefined) {
    const loose = ensurePrivateDir(dataDir, "data directory");
    if (loose !== undefined) warnings.push(loose);
  }
  const accessLog = await createAccessLogger({
    ...(options.logLevel !== undefined ? { level: options.logLevel } : {}),
    ...(options.logFormat !== undefined ? { format: options.logFormat } : {}),
    ...(options.logDestination !== undefined ? { destination: options.logDestination } : {}),
  });
  const rootKey = loadEmulatorRootKey(dataDir, options.insecureKeyPermissions ?? false, warnings);
  const replicaId = resolveReplicaId(options.replicaId);
  const database = options.database ?? config.database;
  if (database !== undefined && !isPostgresUrl(database))
    throw new ValidationError("database must be a PostgreSQL URL: postgres://user@host:5432/dbname", {
      slug: "validation-failed",
    });
  // Replicas on one PostgreSQL database share rate limits and cache invalidations through it (opened
  // below, once the store's migrations ran); a replica serves nothing it keeps in memory unless its
  // invalidation listener is current.
  let shared: SharedState | undefined;
  const rawStore =
    database !== undefined
      ? openPostgres({
          url: database,
          clock,
          author: currentClientId,
          retention: config.history,
          cachesCurrent: () => shared?.bus.current ?? true,
        })
      : openSqliteStore({
          ...(dataDir === undefined ? {} : { dataDir, onWarning: (text: string) => warnings.push(text) }),
          clock,
          author: currentClientId,
          retention: config.history,
        });
  const sharedDatabase = options.sharedDatabase ?? database;
  try {
    shared = sharedDatabase === undefined ? undefined : await openSharedState(sharedDatabase, replicaId);
  } catch (error) {
    rawStore.close();
    throw error;
  }
  const publishing = shared && withInvalidationPublishing(rawStore, (...m) => shared.bus.publish(...m));
  const keyring = new TenantKeyring({ rootKey, storage: (publishing?.store ?? rawStore).keys, clock });
  const store = withSealedHeaders(publishing?.store ?? rawStore, keyring);
  let url = "";
  let fallbackIssuer = "";
  const tokens = new TokenService(config, store, clock);
  // The API's buckets and the token endpoint's, shared by the replicas (each kept apart by a prefix).
  const sharedLimiters = shared
    ? [
        shared.rateLimiter(config.rateLimit.perMinute, config.rateLimit.burst, clock, "api:"),
        shared.rateLimiter(DEFAULT_TOKEN_GUARD.perMinute, DEFAULT_TOKEN_GUARD.burst, clock, "token:"),
      ]
    : [];
  shared?.bus.subscribe((message) => {
    applyToStore(
      rawStore,
      message,
      config.tenants.map((t) => t.id),
    );
    if (message.kind === "tokens" || message.kind === "all") tokens.forgetVerified();
    if (message.kind === "all") for (const limiter of sharedLimiters) limiter.forgetLeases();
  });
  const ctx: EmulatorContext = {
    config,
    store,
    clock,
    baseUrl: () => url,
    issuer: (hostHeader) => issuerFor({ publicUrl, hostHeader, fallback: fallbackIssuer }),
    tokens,
    authenticate: makeAuthenticate(tokens),
    idempotency: new IdempotencyGuard(store, clock),
    expand: new ExpandRegistry(),
    faults: new FaultRules(options.random),
    requestLog: new RequestLog(options.requestLogCapacity),
    rateLimiter:
      sharedLimiters[0] ?? new RateLimiter(config.rateLimit.perMinute, config.rateLimit.burst, clock),
    replicaId,
    ...(shared && publishing
      ? {
          replicaWrites: async (tenantId: string) => {
            publishing.announce({ kind: "tenant", tenantId });
            await publishing.flushed();
          },
          writesAnnounced: () => publishing.flushed(),
          lagInvalidations: (ms: number) => shared.bus.lagDeliveries(ms),
          publishReset: async () => {
            await shared.bus.publish({ kind: "all" });
          },
        }
      : {}),
    tokenGuard: new TokenGuard(clock, undefined, sharedLimiters[1] && (() => sharedLimiters[1]!)),
    keyring,
    sandbox: createLazySandbox(),
    testHooks: exposure.testHooks,
    accessLog,
  };
  const routes: { method: string; url: string }[] = [];
  const app = buildApp(ctx, routes);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await ctx.sandbox.close();
    store.close();
    await shared?.close();
    throw error;
  }
  const address = app.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  url = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  fallbackIssuer = defaultIssuer(host, actualPort);
  let closing: Promise<void> | undefined;
  return {
    url,
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    port: actualPort,
    host,
    config,
    store,
    routes,
    replicaId,
    warnings,
    close: () => {
      closing ??= drain(app, options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS)
        .then(() => ctx.sandbox.close())
        .then(() => store.close())
        .then(() => shared?.close());
      return closing;
    },
  };
}
