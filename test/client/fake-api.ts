/**
 * A scripted Data Actions API over undici's MockAgent for client tests: discovery, a token endpoint
 * that hands out `tok-1`, `tok-2`, …, and an API handler per test. Every request lands in a readable
 * log (`"POST /api/v2/dataactions → 503"`). Time is fake: `sleep` records the wait and moves the clock.
 */
import { MockAgent } from "undici";
import { Redactor } from "../../src/audit/redactor.js";
import { type ClientOptions, type CxdaClient, createClient } from "../../src/client/client.js";

export const ORIGIN = "http://api.test";
export const CLIENT_ID = "ci-client";
export const CLIENT_SECRET = "s3cr3t-client-secret-value";

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  token: string | undefined;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A reply, or "network" to fail the attempt with ECONNRESET. */
export type Handler = (req: FakeRequest) => FakeReply | "network";

export interface FakeTime {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  waits: number[];
  advance: (ms: number) => void;
}

export function fakeTime(start = 1_700_000_000_000): FakeTime {
  let now = start;
  const waits: number[] = [];
  return {
    now: () => now,
    waits,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
      await Promise.resolve();
    },
  };
}

export interface FakeApiOptions {
  handler: Handler;
  /** Token lifetime in seconds (default 3600). */
  tokenTtl?: number;
  /** Replies for the token endpoint, consumed first (e.g. a 503, or an OAuth error). */
  tokenReplies?: (FakeReply | "network")[];
  /** Tokens the API still accepts; default every token issued. */
  validTokens?: () => Set<string>;
}

export interface FakeApi {
  agent: MockAgent;
  log: string[];
  /** Every request as received, for header assertions. */
  requests: FakeRequest[];
  issued: string[];
  /** Tokens the API accepts; remove one to simulate expiry on the server. */
  valid: Set<string>;
}

export function fakeApi(options: FakeApiOptions): FakeApi {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const log: string[] = [];
  const requests: FakeRequest[] = [];
  const issued: string[] = [];
  const valid = new Set<string>();
  const tokenReplies = [...(options.tokenReplies ?? [])];

  const route = (req: FakeRequest): FakeReply | "network" => {
    if (req.method === "GET" && req.path === "/.well-known/openid-configuration")
      return { status: 200, body: { issuer: ORIGIN, token_endpoint: `${ORIGIN}/oauth2/token` } };
    if (req.method === "POST" && req.path === "/oauth2/token") {
      const scripted = tokenReplies.shift();
      if (scripted) return scripted;
      const token = `tok-${issued.length + 1}-${"x".repeat(12)}`;
      issued.push(token);
      valid.add(token);
      return {
        status: 200,
        body: {
          access_token: token,
          token_type: "Bearer",
          expires_in: options.tokenTtl ?? 3600,
          scope: "dataactions:read dataactions:write",
        },
      };
    }
    if (!req.token || !valid.has(req.token))
      return {
        status: 401,
        headers: { "www-authenticate": 'Bearer error="invalid_token"' },
        body: {
          type: "urn:cxda:problem:unauthorized",
          title: "Unauthorized",
          status: 401,
          detail: "token expired",
        },
      };
    return options.handler(req);
  };

  pool
    .intercept({ path: () => true, method: () => true })
    .reply((opts) => {
      const url = new URL(opts.path, ORIGIN);
      const headers = Object.fromEntries(
        Object.entries((opts.headers ?? {}) as Record<string, string>).map(([k, v]) => [
          k.toLowerCase(),
          String(v),
        ]),
      );
      const body = typeof opts.body === "string" ? opts.body : "";
      const auth = headers.authorization;
      const req: FakeRequest = {
        method: opts.method,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
        json: parseMaybe(body),
        token: auth?.startsWith("Bearer ") ? auth.slice(7) : undefined,
      };
      requests.push(req);
      const reply = route(req);
      if (reply === "network") {
        log.push(`${req.method} ${req.path} → network error`);
        const error = new Error("socket hang up") as Error & { code: string };
        error.code = "ECONNRESET";
        throw error;
      }
      log.push(`${req.method} ${req.path} → ${reply.status}`);
      return {
        statusCode: reply.status,
        data: reply.body === undefined ? "" : JSON.stringify(reply.body),
        responseOptions: {
          headers: {
            "content-type": "application/json",
            "x-request-id": `req-${requests.length}`,
            ...reply.headers,
          },
        },
      };
    })
    .persist();
  return { agent, log, requests, issued, valid };
}

export function makeClient(api: FakeApi, time: FakeTime, extra: Partial<ClientOptions> = {}): CxdaClient {
  return createClient({
    baseUrl: ORIGIN,
    auth: { type: "clientCredentials", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    dispatcher: api.agent,
    clock: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    redactor: new Redactor(),
    ...extra,
  });
}

/** The log without discovery and token traffic. */
export function apiLog(api: FakeApi): string[] {
  return api.log.filter((line) => line.includes("/api/v2/"));
}

export function problem(
  status: number,
  slug: string,
  detail: string,
  extra: Record<string, unknown> = {},
): FakeReply {
  return { status, body: { type: `urn:cxda:problem:${slug}`, title: slug, status, detail, ...extra } };
}

function parseMaybe(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
