/** Shared test helpers: an emulator on 127.0.0.1 port 0 and small HTTP helpers over undici. */
import { randomBytes } from "node:crypto";
import { fetch } from "undici";
import { afterAll, beforeAll, beforeEach } from "vitest";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  type EmulatorOptions,
  startEmulator,
} from "../../src/emulator/server.js";
import { createTestDatabase, testStoreIsPostgres } from "../helpers/postgres.js";

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

// biome-ignore lint/suspicious/noExplicitAny: test bodies are read structurally
export type Body = any;

export interface ApiResult {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
}

/**
 * An emulator on port 0: in memory (or in `dataDir`), or, in the "postgres" test project, on a fresh
 * PostgreSQL database that its close() drops.
 */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  if (!testStoreIsPostgres() || options.database !== undefined || options.dataDir !== undefined)
    return startEmulator({
      port: 0,
      inMemory: options.dataDir === undefined && options.database === undefined,
      ...options,
    });
  const database = createTestDatabase();
  let emulator: Emulator;
  try {
    emulator = await startEmulator({ port: 0, database: database.url, ...options });
  } catch (error) {
    database.drop();
    throw error;
  }
  const close = emulator.close;
  let closing: Promise<void> | undefined;
  emulator.close = () => {
    closing ??= close().then(() => database.drop());
    return closing;
  };
  return emulator;
}

/** A rate limit no test reaches by accident. */
export const UNTHROTTLED: EmulatorOptions = { rateLimit: { perMinute: 100_000, burst: 10_000 } };

/**
 * Two emulators ("a" and "b", unthrottled) on one fresh PostgreSQL database, as two replicas with one
 * root key (CXDA_EMULATOR_ROOT_KEY, set for the test file's run), started before the file's tests and
 * closed after them with their database dropped.
 */
export function useTwoReplicas(ready: (replicas: { a: Emulator; b: Emulator }) => void): void {
  const previousKey = process.env.CXDA_EMULATOR_ROOT_KEY;
  let database: ReturnType<typeof createTestDatabase> | undefined;
  const started: Emulator[] = [];
  beforeAll(async () => {
    process.env.CXDA_EMULATOR_ROOT_KEY = randomBytes(32).toString("hex");
    database = createTestDatabase();
    for (const replicaId of ["a", "b"])
      started.push(await startTestEmulator({ ...UNTHROTTLED, database: database.url, replicaId }));
    ready({ a: started[0]!, b: started[1]! });
  });
  afterAll(async () => {
    for (const emulator of started) await emulator.close();
    database?.drop();
    if (previousKey === undefined) delete process.env.CXDA_EMULATOR_ROOT_KEY;
    else process.env.CXDA_EMULATOR_ROOT_KEY = previousKey;
  });
}

/**
 * The emulator a test file shares: started (with a token for `client`, the demo client unless the
 * options configure others) before its tests, emptied before each test unless `resetEach` is false,
 * closed after them.
 */
export function useTestEmulator(
  options: EmulatorOptions,
  ready: (running: { emulator: Emulator; token: string }) => void,
  { resetEach = true, client }: { resetEach?: boolean; client?: { id: string; secret: string } } = {},
): void {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startTestEmulator(options);
    ready({ emulator, token: await getToken(emulator, client) });
  });
  afterAll(() => emulator?.close());
  if (resetEach)
    beforeEach(async () => {
      if (emulator) await api(emulator, "POST", "/_emulator/reset");
    });
}

export function tokenRequest(
  emulator: Emulator,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  return oauthFormPost(emulator, "/oauth2/token", form, headers);
}

/** `POST /oauth2/revoke` (RFC 7009) with a form body. */
export function revocationRequest(
  emulator: Emulator,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  return oauthFormPost(emulator, "/oauth2/revoke", form, headers);
}

async function oauthFormPost(
  emulator: Emulator,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string>,
): Promise<ApiResult> {
  const res = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers as unknown as Headers,
    body: text ? JSON.parse(text) : undefined,
    text,
  };
}

export async function getToken(
  emulator: Emulator,
  client = { id: DEMO_CLIENT_ID, secret: DEMO_CLIENT_SECRET },
  scope?: string,
): Promise<string> {
  const res = await tokenRequest(
    emulator,
    { grant_type: "client_credentials", ...(scope ? { scope } : {}) },
    { authorization: basic(client.id, client.secret) },
  );
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

export async function api(
  emulator: Emulator,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiResult> {
  const headers: Record<string, string> = {
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  Object.assign(headers, options.headers ?? {});
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers as unknown as Headers, body: parsed, text };
}

export function scriptAction(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    type: "SCRIPT",
    script: { language: "JavaScript", content: "function main(context) { return context.input; }" },
    ...extra,
  };
}

/** Creates an action and returns its body (throws unless 201). */
export async function createAction(
  emulator: Emulator,
  token: string,
  payload: Record<string, unknown>,
): Promise<Body> {
  const res = await api(emulator, "POST", "/api/v2/dataactions", { token, body: payload });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body;
}

export function slug(result: ApiResult): string | undefined {
  const type = result.body?.type;
  return typeof type === "string" ? type.replace("urn:cxda:problem:", "") : undefined;
}
