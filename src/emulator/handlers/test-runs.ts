/**
 * `POST /dataactions/{id}/test`: SCRIPT actions run `main(context)` in the QuickJS sandbox
 * with `context = {input, variables, environment}`; HTTP actions have their request rendered (never
 * sent), secret-looking header values as `***`. A test run changes no state.
 */
import { REDACTED } from "../../audit/redactor.js";
import type { Action } from "../../domain/action-schema.js";
import { isCredentialHeader } from "../../domain/credential-header.js";
import { createSecretMasker, type SecretMasker } from "../../domain/secret-masking.js";
import { issue, type ValidationIssue } from "../../domain/validation-result.js";
import type { EmulatorConfig } from "../config.js";
import type { EmulatorContext } from "../context.js";
import { type ApiResponse, ProblemError, problemFromIssues } from "../problem.js";
import {
  createSandbox,
  type Sandbox,
  type SandboxRunResult,
  SandboxUnavailableError,
} from "../sandbox/index.js";
import {
  MAX_MEMORY_BYTES,
  MAX_TIMEOUT_MS,
  MIB,
  MIN_MEMORY_BYTES,
  MIN_TIMEOUT_MS,
} from "../sandbox/limits.js";
import {
  type EffectiveEntry,
  resolveEffectiveEntries,
  VariableDecryptionError,
} from "./effective-variables.js";
import { requireAction } from "./require-action.js";

/** Deepest nesting of `input` accepted (QuickJS parses the context recursively inside its small stack). */
export const MAX_INPUT_DEPTH = 100;

export interface TestRunResult extends SandboxRunResult {
  /**
   * Secret variables the run saw as `"***"` because the token lacks `dataactions:execute`; absent when
   * the run saw every value (docs/script-runtime.md).
   */
  secretsWithheld?: string[];
}

export interface TestRunRequest {
  input: unknown;
  environmentId?: string;
}

/** Who asks for the run: secrets are decrypted into it only for a token with `dataactions:execute`. */
export interface TestRunCaller {
  decryptSecrets: boolean;
}

/** What a test run needs from the emulator: the store, the keyring (secrets), the config, the sandbox. */
export type TestRunContext = Pick<EmulatorContext, "store" | "keyring" | "config" | "sandbox">;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Nesting depth of a JSON value, counted without recursion; stops once past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The body `{input, environmentId?}`, checked; every problem reported at once. */
export function parseTestRunBody(body: unknown, config: EmulatorConfig): TestRunRequest {
  if (!isObject(body))
    throw problemFromIssues(
      [
        issue(
          "",
          "validation-failed",
          'the body must be a JSON object {"input": …, "environmentId"?: "dev"}',
        ),
      ],
      "The test request",
    );
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body))
    if (key !== "input" && key !== "environmentId")
      issues.push(
        issue(
          key.slice(0, 64),
          "validation-failed",
          `${JSON.stringify(key.slice(0, 40))} is not a field of a test request; send only "input" and "environmentId"`,
        ),
      );
  const input = body.input === undefined ? null : body.input;
  if (jsonDepth(input, MAX_INPUT_DEPTH) > MAX_INPUT_DEPTH)
    issues.push(
      issue(
        "input",
        "validation-failed",
        `input: nests deeper than ${MAX_INPUT_DEPTH} levels of objects and arrays; flatten it`,
      ),
    );
  const env = body.environmentId;
  if (env !== undefined && env !== null && typeof env !== "string")
    issues.push(
      issue(
        "environmentId",
        "validation-failed",
        `environmentId: must be an environment id string such as "dev"; list them with GET /api/v2/environments`,
      ),
    );
  if (issues.length > 0) throw problemFromIssues(issues, "The test request");
  if (typeof env === "string" && !config.environments.some((e) => e.id === env))
    throw new ProblemError(
      "not-found",
      `No environment with id ${JSON.stringify(env.slice(0, 64))}; known ids: ${config.environments.map((e) => e.id).join(", ")}.`,
    );
  return { input, ...(typeof env === "string" ? { environmentId: env } : {}) };
}

/**
 * An HTTP action's request as it would be sent: `{name}` placeholders filled from input, then from the
 * effective variables (a secret variable shows as `***`).
 */
export function renderHttpRequest(
  action: Action,
  input: unknown,
  variables: ReadonlyMap<string, Pick<EffectiveEntry, "value" | "secret">>,
): { request: { method: string; url: string; headers: Record<string, string> }; logs: string[] } {
  const request = action.config?.request;
  const logs: string[] = [];
  const unresolved = new Set<string>();
  const url = (request?.urlTemplate ?? "").replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, key: string) => {
    const variable = variables.get(key);
    if (!(isObject(input) && Object.hasOwn(input, key)) && variable?.secret) return REDACTED;
    const value = isObject(input) && Object.hasOwn(input, key) ? input[key] : variable?.value;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      return encodeURIComponent(String(value));
    unresolved.add(key);
    return whole;
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(action.config?.headers ?? {})) {
    if (value === null) continue;
    headers[name] = isCredentialHeader(name, value) ? REDACTED : value;
  }
  logs.push(`rendered ${request?.method ?? "GET"} request; not sent (test runs never call out)`);
  for (const key of unresolved)
    logs.push(`[warn] placeholder {${key}} has no value in input or variables; left as is`);
  return { request: { method: request?.method ?? "GET", url, headers }, logs };
}

/**
 * The emulator's sandbox, whose worker pool starts on the first test run: an emulator that never runs
 * a test (most test suites, short CLI sessions) never loads QuickJS.
 */
export function createLazySandbox(factory: () => Sandbox = createSandbox): Sandbox {
  let sandbox: Sandbox | undefined;
  let closed = false;
  return {
    run(input) {
      if (closed) return Promise.reject(new SandboxUnavailableError("the emulator is closing", "closed"));
      sandbox ??= factory();
      return sandbox.run(input);
    },
    async close() {
      closed = true;
      await sandbox?.close();
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export class TestRunHandlers {
  constructor(private readonly ctx: TestRunContext) {}

  /**
   * Runs the test; the body must already have passed `parseTestRunBody`. `remember` is false when the
   * script saw a decrypted secret: its answer may echo it, so it must not be kept for idempotent replay.
   */
  async run(
    tenantId: string,
    id: string,
    body: TestRunRequest,
    caller: TestRunCaller,
  ): Promise<{ response: ApiResponse; remember: boolean }> {
    const { store, config, sandbox } = this.ctx;
    const stored = requireAction(store, tenantId, id);
    const action = JSON.parse(stored.doc) as Action;
    const environment = config.environments.find((e) => e.id === body.environmentId) ?? null;
    let entries: Map<string, EffectiveEntry>;
    try {
      entries = resolveEffectiveEntries(this.ctx, tenantId, action.id, body.environmentId);
    } catch (error) {
      if (!(error instanceof VariableDecryptionError)) throw error;
      return { response: failure(error.message), remember: true };
    }
    const secrets = [...entries.values()].filter((e) => e.secret);
    const withheld = caller.decryptSecrets ? [] : secrets.map((e) => e.name);
    if (!caller.decryptSecrets)
      for (const entry of secrets) entries.set(entry.name, { ...entry, value: REDACTED });
    // A run that saw a decrypted secret may echo it: its answer is masked and never kept for replay.
    const masker = createSecretMasker(caller.decryptSecrets ? secrets.map((e) => e.value) : []);
    const answer = (result: SandboxRunResult) => ({
      response: { status: 200, body: maskResult(result, masker, withheld) },
      remember: !caller.decryptSecrets || secrets.length === 0,
    });
    if (action.type === "HTTP") {
      const started = performance.now();
      const { request, logs } = renderHttpRequest(action, body.input, entries);
      return answer({
        status: "SUCCESS",
        output: request,
        logs,
        durationMs: Math.round(performance.now() - started),
      });
    }
    if (!action.script)
      return { response: failure("the action has no script; add one with PUT or PATCH"), remember: true };
    const variables: Record<string, unknown> = {};
    for (const [name, entry] of entries)
      Object.defineProperty(variables, name, { value: entry.value, enumerable: true, writable: true });
    try {
      const result = await sandbox.run({
        source: action.script.content,
        context: { input: body.input, variables, environment },
        timeoutMs: clamp(config.sandbox.timeoutMs, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS),
        memoryBytes: clamp(config.sandbox.memoryMb * MIB, MIN_MEMORY_BYTES, MAX_MEMORY_BYTES),
        tenant: tenantId,
      });
      return answer(result);
    } catch (error) {
      if (!(error instanceof SandboxUnavailableError)) throw error;
      throw new ProblemError(
        "service-unavailable",
        `The sandbox cannot take this test run now (${error.reason}); retry after ${error.retryAfterSeconds} s.`,
        { headers: { "retry-after": String(error.retryAfterSeconds) } },
      );
    }
  }
}

/** The result as answered: decrypted secrets masked in output, error and logs; withheld ones named. */
function maskResult(result: SandboxRunResult, masker: SecretMasker, withheld: string[]): TestRunResult {
  const masked: TestRunResult = {
    ...result,
    output: masker.value(result.output),
    logs: result.logs.map(masker.text),
  };
  if (result.error !== undefined) masked.error = masker.text(result.error);
  if (withheld.length > 0) masked.secretsWithheld = withheld;
  return masked;
}

function failure(error: string): ApiResponse {
  const result: TestRunResult = { status: "FAILURE", output: null, error, logs: [], durationMs: 0 };
  return { status: 200, body: result };
}
