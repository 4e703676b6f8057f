/**
 * The reliability suite's harness (issue 11): one run directory, emulators on 127.0.0.1 port 0 with a
 * data dir each, SDK clients wired with a secret-collecting redactor and trace hooks, the emulator's
 * test hooks, and the figures every scenario returns.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, type Dispatcher, request as httpRequest } from "undici";
import { Redactor } from "../../src/audit/redactor.js";
import type { EmulatorConfigInput } from "../../src/emulator/config.js";
import type { RequestLogEntry } from "../../src/emulator/request-log.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/server.js";
import { type CxdaSdk, createSdk } from "../../src/sdk/create-sdk.js";

export interface Figure {
  scenario: string;
  figure: string;
  value: number | string;
  required: string;
  pass: boolean;
}

/** A figure that must equal `want` exactly. */
export function exactly(scenario: string, figure: string, value: number, want: number): Figure {
  return { scenario, figure, value, required: `= ${want}`, pass: value === want };
}

export function atLeast(scenario: string, figure: string, value: number, min: number): Figure {
  return { scenario, figure, value, required: `≥ ${min}`, pass: value >= min };
}

/** Shown for context; never fails the run. */
export function info(scenario: string, figure: string, value: number | string): Figure {
  return { scenario, figure, value, required: "(info)", pass: true };
}

export function pending(scenario: string, why: string): Figure {
  return { scenario, figure: "pending", value: why, required: "(not yet runnable)", pass: true };
}

/** Remembers every secret the redactor is told about (client secrets, each token the client fetched). */
export class SecretCollector extends Redactor {
  readonly collected = new Map<string, { kind: string; at: number }>();

  override register(secret: string | null | undefined, source?: string): boolean {
    const masked = super.register(secret, source);
    if (secret && secret.length >= 8 && !this.collected.has(secret))
      this.collected.set(secret, { kind: "registered", at: Date.now() });
    return masked;
  }

  add(secret: string, kind: string): void {
    this.register(secret);
    this.collected.set(secret, { kind, at: Date.now() });
  }
}

/** What the hooks of one client saw, with wall-clock times. */
export interface TraceLog {
  sent: { at: number; method: string; url: string; attempt: number }[];
  answered: {
    at: number;
    method: string;
    url: string;
    status: number;
    latencyMs: number;
    requestId?: string;
  }[];
  retries: { at: number; reason: string; status?: number; delayMs: number; method: string; url: string }[];
  /** Bearer tokens as they left the process (the dispatcher interceptor, a test-only hook). */
  tokensSent: { at: number; token: string; url: string }[];
}

export const TENANT = "acme";
/** The one chaos client with `dataactions:execute` (R12): test runs see decrypted secrets, masked. */
export const EXECUTE_CLIENT = "chaos-exec";
export const RIVAL_TENANT = "rival";

export class ChaosRun {
  readonly dir = mkdtempSync(join(tmpdir(), "cxda-chaos-"));
  readonly secrets = new SecretCollector();
  readonly figures: Figure[] = [];
  /**
   * Credential header values: the API returns headers with the action, so they may sit in the database
   * and in `actions get` output, but never in audit lines, events, webhooks or traces.
   */
  readonly credentialHeaders: string[] = [];
  /** Every audit log file written by an SDK or CLI run. */
  readonly auditLogs: string[] = [];
  readonly dataDirs: string[] = [];
  /** Texts any sink produced (CLI stdout/stderr, webhook bodies): searched by R6. */
  readonly outputs: { sink: string; text: string }[] = [];
  /** The audited client's committed writes, per emulator, for R10. */
  readonly requestLogs: { scenario: string; auditLog: string; requests: RequestLogEntry[] }[] = [];
  readonly clientSecrets = {
    sdk: `chaos-sdk-${randomBytes(12).toString("hex")}`,
    raw: `chaos-raw-${randomBytes(12).toString("hex")}`,
    rival: `chaos-rival-${randomBytes(12).toString("hex")}`,
    exec: `chaos-exec-${randomBytes(12).toString("hex")}`,
  };

  constructor() {
    for (const [kind, secret] of Object.entries(this.clientSecrets))
      this.secrets.add(secret, `client secret ${kind}`);
  }

  config(): EmulatorConfigInput {
    return {
      tenants: [
        {
          id: TENANT,
          clients: [
            { id: "chaos-sdk", secret: this.clientSecrets.sdk },
            { id: "chaos-raw", secret: this.clientSecrets.raw },
            {
              id: EXECUTE_CLIENT,
              secret: this.clientSecrets.exec,
              scopes: ["dataactions:read", "dataactions:write", "dataactions:execute"],
            },
          ],
        },
        { id: RIVAL_TENANT, clients: [{ id: "rival-ci", secret: this.clientSecrets.rival }] },
      ],
    };
  }

  /** An emulator with its own data dir in the run directory (R6 reads the database files). */
  async emulator(
    name: string,
    options: {
      tokenTtlSeconds?: number;
      rateLimit?: { perMinute: number; burst: number };
      seed?: number;
      testHooks?: boolean;
      clock?: () => number;
      sandbox?: { timeoutMs: number; memoryMb: number };
      /** Capabilities the emulator does not advertise (e.g. `changesets`, to test the request-per-resource path). */
      disableCapabilities?: readonly ("snapshot" | "changesets" | "deployments" | "revisions")[];
    } = {},
  ): Promise<RunningEmulator> {
    const dataDir = join(this.dir, `emulator-${name}`);
    mkdirSync(dataDir, { recursive: true });
    this.dataDirs.push(dataDir);
    return startEmulator({
      port: 0,
      host: "127.0.0.1",
      dataDir,
      config: {
        ...this.config(),
        ...(options.disableCapabilities ? { disableCapabilities: [...options.disableCapabilities] } : {}),
      },
      rateLimit: options.rateLimit ?? { perMinute: 100_000, burst: 10_000 },
      ...(options.tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds: options.tokenTtlSeconds }),
      ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
      random: seeded(options.seed ?? 11),
      ...(options.testHooks === undefined ? {} : { testHooks: options.testHooks }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      // R4, R5 and R10 read every request a scenario made.
      requestLogCapacity: 2_000_000,
    });
  }

  auditPath(name: string): string {
    const path = join(this.dir, `audit-${name}.jsonl`);
    if (!this.auditLogs.includes(path)) this.auditLogs.push(path);
    return path;
  }
}

export interface ChaosClient {
  sdk: CxdaSdk;
  trace: TraceLog;
  close(): Promise<void>;
}

/** Retry budget of the chaos clients: the defaults, with more attempts for fault rates of 25–30 %. */
export const CHAOS_RETRY = { maxAttempts: 10 } as const;

export function chaosClient(
  run: ChaosRun,
  emulator: RunningEmulator,
  who: "sdk" | "raw" | "rival",
  options: { auditLog?: string; webhook?: { url: string; secret: string }; maxConcurrency?: number } = {},
): ChaosClient {
  const trace: TraceLog = { sent: [], answered: [], retries: [], tokensSent: [] };
  const clientId = who === "sdk" ? "chaos-sdk" : who === "raw" ? "chaos-raw" : "rival-ci";
  const agent = new Agent();
  const dispatcher = agent.compose(
    (dispatch: Dispatcher["dispatch"]) =>
      (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
        const auth = headerOf(opts.headers, "authorization");
        if (auth?.startsWith("Bearer "))
          trace.tokensSent.push({ at: Date.now(), token: auth.slice(7), url: String(opts.path) });
        return dispatch(opts, handler);
      },
  );
  const sdk = createSdk({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId, clientSecret: run.clientSecrets[who] },
    redactor: run.secrets,
    dispatcher,
    retry: CHAOS_RETRY,
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
    ...(options.auditLog === undefined ? {} : { auditLog: options.auditLog }),
    ...(options.webhook === undefined ? {} : { webhook: options.webhook }),
    hooks: {
      onRequest: (i) => trace.sent.push({ at: Date.now(), method: i.method, url: i.url, attempt: i.attempt }),
      onResponse: (i) =>
        trace.answered.push({
          at: Date.now(),
          method: i.method,
          url: i.url,
          status: i.status,
          latencyMs: i.latencyMs,
          ...(i.requestId === undefined ? {} : { requestId: i.requestId }),
        }),
      onRetry: (i) =>
        trace.retries.push({
          at: Date.now(),
          reason: i.reason,
          ...(i.status === undefined ? {} : { status: i.status }),
          delayMs: i.delayMs,
          method: i.method,
          url: i.url,
        }),
    },
  });
  return {
    sdk,
    trace,
    async close() {
      await sdk.close();
      await agent.close();
    },
  };
}

function headerOf(headers: Dispatcher.DispatchOptions["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2)
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>))
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
  return undefined;
}

/** The emulator's test hooks. */
export async function testHook<T = unknown>(
  emulator: RunningEmulator,
  method: "GET" | "PUT" | "POST",
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await httpRequest(`${emulator.url}/_emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} /_emulator${path} → ${res.statusCode}: ${text}`);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

export async function setFaults(emulator: RunningEmulator, rules: Record<string, unknown>[]): Promise<void> {
  await testHook(emulator, "PUT", "/faults", { rules });
}

export async function requestLog(emulator: RunningEmulator): Promise<RequestLogEntry[]> {
  return (await testHook<{ requests: RequestLogEntry[] }>(emulator, "GET", "/requests")).requests;
}

/** mulberry32: a small seeded PRNG, so fault draws repeat from run to run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `task(i)` for i < count with at most `width` at once; every outcome is kept. */
export async function pool<T>(
  count: number,
  width: number,
  task: (i: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      try {
        results[i] = { status: "fulfilled", value: await task(i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}

export const SCRIPT = {
  language: "JavaScript" as const,
  content: "function main(context) { return context.input; }",
};

export function actionInput(name: string) {
  return { name, type: "SCRIPT" as const, script: SCRIPT };
}

/** Formats the figures table printed at the end of a run. */
export function figuresTable(figures: Figure[]): string {
  const rows = figures.map((f) => [f.scenario, f.figure, String(f.value), f.required, f.pass ? "yes" : "NO"]);
  const head = ["scenario", "figure", "value", "required", "pass"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
