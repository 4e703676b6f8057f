/** What every route module receives: the emulator's services, built once in server.ts. */
import type { AccessLogger } from "./access-log.js";
import type { Authenticate } from "./auth/authenticate.js";
import type { TokenGuard } from "./auth/token-guard.js";
import type { TokenService } from "./auth/token-service.js";
import type { EmulatorConfig } from "./config.js";
import type { TenantKeyring } from "./crypto/tenant-keyring.js";
import type { ExpandRegistry } from "./expand-registry.js";
import type { FaultRules } from "./faults.js";
import type { IdempotencyGuard } from "./idempotency.js";
import type { RateLimits } from "./rate-limiter.js";
import type { RequestLog } from "./request-log.js";
import type { Sandbox } from "./sandbox/index.js";
import type { Store } from "./store/store.js";

export interface EmulatorContext {
  config: EmulatorConfig;
  store: Store;
  clock: () => number;
  /** The base URL the server listens on (`http://127.0.0.1:PORT`), known once it listens. */
  baseUrl: () => string;
  /** The issuer advertised to a request with this Host header (issuer.ts): the public URL when set. */
  issuer: (hostHeader: string | undefined) => string;
  tokens: TokenService;
  authenticate: Authenticate;
  idempotency: IdempotencyGuard;
  expand: ExpandRegistry;
  faults: FaultRules;
  requestLog: RequestLog;
  /** Per process (SQLite), or shared by the replicas through PostgreSQL (replicas/shared-rate-limiter.ts). */
  rateLimiter: RateLimits;
  /** This replica's id (`--replica-id`, or made at start). */
  replicaId: string;
  /** With replicas: announces a committed write of the tenant to the others (awaited before the response). */
  replicaWrites?: (tenantId: string) => Promise<void>;
  /** With replicas: resolves once every write committed so far was acted on by the other replicas. */
  writesAnnounced?: () => Promise<void>;
  /** With replicas: the test hook that makes this replica act on invalidations `ms` late. */
  lagInvalidations?: (ms: number) => void;
  /** With replicas: tells the others every cache is stale (the reset test hook). */
  publishReset?: () => Promise<void>;
  /** Rate limit and failure back-off of `POST /oauth2/token`, per client id and per address. */
  tokenGuard: TokenGuard;
  /** Per-tenant encryption of secrets at rest, keys in `store.keys`, wrapped by the root key. */
  keyring: TenantKeyring;
  /** QuickJS worker pool for test runs, created once from `config.sandbox`, closed with the server. */
  sandbox: Sandbox;
  /** The access log (access-log.ts); undefined when logging is off (`silent`, the default in-process). */
  accessLog: AccessLogger | undefined;
  /** The `/_emulator` routes and the X-Emulator-Fault header are served (to loopback peers only). */
  testHooks: boolean;
}
