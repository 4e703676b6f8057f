/** Public types of the SDK client. Resource shapes come from the shared schema. */
import type { Dispatcher } from "undici";
import type { Redactor } from "../audit/redactor.js";
import type { Action, ActionInput } from "../domain/action-schema.js";
import type { ApiResponse, Query, RequestOptions } from "./request-types.js";
import type { ActionsResource } from "./resources/actions.js";
import type { BuildsResource } from "./resources/builds.js";
import type { ChangesetsResource } from "./resources/changesets.js";
import type { DeploymentsResource } from "./resources/deployments.js";
import type { EnvironmentsResource } from "./resources/environments.js";
import type { GlobalVariablesResource } from "./resources/global-variables.js";
import type { KeysResource } from "./resources/keys.js";
import type { OverridesResource } from "./resources/overrides.js";
import type { RevisionsResource } from "./resources/revisions.js";
import type { SnapshotResource } from "./resources/snapshot.js";
import type { TestRunsResource } from "./resources/test-runs.js";
import type { VariablesResource } from "./resources/variables.js";

export type { ApiResponse, Page, Query, Requester, RequestOptions } from "./request-types.js";
export type { ActionsResource, ListActionsParams } from "./resources/actions.js";
export type { Build, BuildError, BuildStatus, BuildsResource } from "./resources/builds.js";
export type {
  ChangesetInput,
  ChangesetOperation,
  ChangesetOperationResult,
  ChangesetResult,
  ChangesetsResource,
  OpenChangeset,
} from "./resources/changesets.js";
export type {
  Deployment,
  DeploymentCounts,
  DeploymentResource,
  DeploymentSummary,
  DeploymentsResource,
  RollbackOptions,
  RollbackResult,
} from "./resources/deployments.js";
export type { Environment, EnvironmentsResource } from "./resources/environments.js";
export type { GlobalVariables, GlobalVariablesResource } from "./resources/global-variables.js";
export type { KeyList, KeyRotation, KeysResource } from "./resources/keys.js";
export type {
  OverrideSet,
  OverridesPatch,
  OverridesResource,
  WrittenOverrideSet,
} from "./resources/overrides.js";
export type { ActionRevisionSummary, RevisionsResource } from "./resources/revisions.js";
export type { Snapshot, SnapshotAction, SnapshotResource } from "./resources/snapshot.js";
export type { TestRunInput, TestRunResult, TestRunStatus, TestRunsResource } from "./resources/test-runs.js";
export type { ActionVariables, Reencrypted, VariablesResource } from "./resources/variables.js";
export type { Action, ActionInput };

export type ClientAuth =
  | { type: "clientCredentials"; clientId: string; clientSecret: string; authMethod?: "basic" | "post" }
  | {
      type: "accessKey";
      clientId: string;
      clientSecret: string;
      accessKeyId: string;
      accessKeySecret: string;
    };

export interface RetryOptions {
  maxAttempts?: number;
  maxElapsedMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  /** Give up at once on a refused connection instead of retrying (the CLI sets it for loopback URLs). */
  failFastOnConnectionRefused?: boolean;
}

/** Redacted facts handed to hooks; never a secret, a token or a body. */
export interface RequestInfo {
  method: string;
  url: string;
  attempt: number;
  idempotencyKey?: string;
  headers: Record<string, string>;
}
export interface ResponseInfo {
  method: string;
  url: string;
  attempt: number;
  status: number;
  latencyMs: number;
  requestId?: string;
}
export interface RetryInfo {
  method: string;
  url: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** Why: `status 503`, `rate-limited`, `token-expired`, `network`, `timeout`. */
  reason: string;
  status?: number;
  delayMs: number;
  idempotencyKey?: string;
}
export interface ErrorInfo {
  method: string;
  url: string;
  attempts: number;
  error: { name: string; message: string; status?: number; slug?: string; requestId?: string };
}

export interface ClientHooks {
  onRequest?(info: RequestInfo): void;
  onResponse?(info: ResponseInfo): void;
  onRetry?(info: RetryInfo): void;
  onError?(info: ErrorInfo): void;
}

export interface ClientOptions {
  /** e.g. "http://127.0.0.1:8787"; the API lives under `${baseUrl}/api/v2`. */
  baseUrl: string;
  auth: ClientAuth;
  /** Else taken from discovery at `${baseUrl}/.well-known/openid-configuration`. */
  tokenUrl?: string;
  scopes?: string[];
  /** Default 8. */
  maxConcurrency?: number;
  /** Defaults: 5 attempts, 60 000 ms total, 200 ms base, 10 000 ms max delay, Retry-After capped at 60 000 ms. */
  retry?: RetryOptions;
  /** Per attempt, default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Injectable (tests use MockAgent); default an Agent the client owns and closes. */
  dispatcher?: Dispatcher;
  /** ms since epoch. */
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); used for backoff jitter (idempotency keys are always crypto UUIDs). */
  random?: () => number;
  redactor?: Redactor;
  hooks?: ClientHooks;
  userAgent?: string;
  /**
   * Called once per API request, before its first attempt (not for token requests). Throwing stops the
   * request: nothing is sent and the error reaches the caller as thrown (the CLI's `--dry-run`).
   */
  beforeSend?: (request: OutgoingRequest) => void;
}

/** An API request as it is about to be sent; `body` is the value before JSON encoding. */
export interface OutgoingRequest {
  method: string;
  /** The URL's path and query, e.g. `/api/v2/dataactions/…/variables`. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface ClientMetrics {
  /** Logical requests (one per `request()` call, whatever its retries). */
  requests: number;
  /** HTTP attempts sent. */
  attempts: number;
  retries: number;
  /** 429 answers seen. */
  rateLimited: number;
  /** Logical requests that ended in an error. */
  failures: number;
  /** Per logical request, from first attempt to final answer. */
  latency: LatencySummary;
  /** Status of every attempt that got an answer, e.g. `{"503": 2, "201": 1}`. */
  byStatus: Record<string, number>;
}

export interface AuthCheck {
  clientId: string;
  scopes: string[];
  expiresAt: string;
  expiresInSeconds: number;
  tokenEndpoint: string;
}

export interface CxdaClient {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly redactor: Redactor;
  /** `path` is relative to /api/v2, e.g. "/dataactions". */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  paginate<T>(path: string, query?: Query, options?: { pageSize?: number }): AsyncIterable<T>;
  actions: ActionsResource;
  /** An action's variables, `/dataactions/{id}/variables`. */
  variables: VariablesResource;
  /** The tenant's global variables, `/variables`. */
  globalVariables: GlobalVariablesResource;
  /** Per-environment overrides, `/dataactions/{id}/environments/{envId}/variables`. */
  overrides: OverridesResource;
  /** `/environments`. */
  environments: EnvironmentsResource;
  /** `/dataactions/{id}/builds`. */
  builds: BuildsResource;
  /** `/dataactions/{id}/test`. */
  testRuns: TestRunsResource;
  /** `/keys`. */
  keys: KeysResource;
  /** `GET /api/v2` (capabilities) and `GET /snapshot`: the whole tenant in one request. */
  snapshot: SnapshotResource;
  /** `POST /changesets`: many writes in one transaction, in one request or staged in batches. */
  changesets: ChangesetsResource;
  /** `/deployments`: every committed change, and its rollback. */
  deployments: DeploymentsResource;
  /** `/dataactions/{id}/revisions`: an action's history. */
  revisions: RevisionsResource;
  auth: {
    check(): Promise<AuthCheck>;
    /**
     * Revokes the access token this client holds (RFC 7009), if it holds one, and forgets it: the
     * server refuses it from then on, and the client's next request gets a new token. Resolves to
     * whether there was a token to revoke.
     */
    revoke(): Promise<{ revoked: boolean }>;
  };
  metrics(): ClientMetrics;
  /** Closes the Agent the client created (never an injected dispatcher). */
  close(): Promise<void>;
}
