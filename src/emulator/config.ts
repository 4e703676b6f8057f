/**
 * The emulator configuration file (YAML or JSON; docs/emulator.md) as a zod schema, its built-in default, and
 * the merge with options/flags (flags override the file).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { KNOWN_CAPABILITIES } from "../domain/capabilities.js";
import { ENVIRONMENT_ID, ENVIRONMENT_ID_RULE } from "../domain/environment-id.js";
import { issue, type ValidationIssue } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";
import { publicUrlProblem } from "./issuer.js";
import { MAX_MEMORY_BYTES, MAX_TIMEOUT_MS, MIB, MIN_MEMORY_BYTES, MIN_TIMEOUT_MS } from "./sandbox/limits.js";

export const ALL_SCOPES = [
  "dataactions:read",
  "dataactions:write",
  "dataactions:delete",
  "dataactions:admin",
  "dataactions:execute",
] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/**
 * A client listed without `scopes` gets these. `dataactions:execute` (test runs that see decrypted
 * secrets, docs/script-runtime.md) is never implied: a client gets it only when its `scopes` name it.
 */
export const DEFAULT_CLIENT_SCOPES: Scope[] = ALL_SCOPES.filter((s) => s !== "dataactions:execute");

const idText = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1–128 characters of letters, digits, '.', '_', ':' or '-'");
const secretText = z.string().min(1, "must not be empty").max(1024, "must be at most 1024 characters");

const clientSchema = z.strictObject({
  id: idText,
  secret: secretText,
  scopes: z.array(z.enum(ALL_SCOPES)).default([...DEFAULT_CLIENT_SCOPES]),
});

const accessKeySchema = z.strictObject({ id: idText, secret: secretText, client: idText });

const tenantSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 letters, digits, '_' or '-'"),
  clients: z.array(clientSchema).min(1, "a tenant needs at least one client"),
  accessKeys: z.array(accessKeySchema).default([]),
});

const environmentSchema = z.strictObject({
  id: z.string().regex(ENVIRONMENT_ID, `must be ${ENVIRONMENT_ID_RULE}`),
  name: z.string().min(1).max(128),
  order: z.number().int().min(0),
  buildOnChange: z.boolean(),
});

export const rateLimitSchema = z.strictObject({
  perMinute: z.number().int().min(1).max(1_000_000),
  burst: z.number().int().min(1).max(1_000_000),
});

/** The limits the sandbox itself accepts (sandbox/limits.ts): a config outside them is refused, not clamped. */
export const sandboxSchema = z.strictObject({
  timeoutMs: z.number().int().min(MIN_TIMEOUT_MS).max(MAX_TIMEOUT_MS),
  memoryMb: z
    .number()
    .int()
    .min(MIN_MEMORY_BYTES / MIB)
    .max(MAX_MEMORY_BYTES / MIB),
});

export const historySchema = z.strictObject({
  revisionsPerAction: z.number().int().min(1).max(100_000).default(100),
  deploymentsPerTenant: z.number().int().min(1).max(1_000_000).default(1000),
});

export const DEFAULT_ENVIRONMENTS = [
  { id: "dev", name: "development", order: 0, buildOnChange: true },
  { id: "staging", name: "staging", order: 1, buildOnChange: true },
  { id: "prod", name: "production", order: 2, buildOnChange: false },
];

export const emulatorConfigSchema = z.strictObject({
  tenants: z.array(tenantSchema).min(1, "at least one tenant is needed"),
  environments: z.array(environmentSchema).min(1).default(DEFAULT_ENVIRONMENTS),
  rateLimit: rateLimitSchema.default({ perMinute: 600, burst: 20 }),
  tokenTtlSeconds: z.number().int().min(1).max(31_536_000).default(3600),
  sandbox: sandboxSchema.default({ timeoutMs: 1000, memoryMb: 32 }),
  /** Capabilities left out of `GET /api/v2`, their endpoints answering 404 (to test clients' fallbacks). */
  disableCapabilities: z.array(z.enum(KNOWN_CAPABILITIES)).default([]),
  /** How much history is kept: action revisions per action, deployments per tenant (older ones expire). */
  history: historySchema.default({ revisionsPerAction: 100, deploymentsPerTenant: 1000 }),
  /** A PostgreSQL connection URL (postgres://…) to keep state in; `--database` overrides it. Default: SQLite. */
  database: z
    .string()
    .regex(/^postgres(ql)?:\/\//i, "database must be a PostgreSQL URL: postgres://user@host:5432/dbname")
    .optional(),
  /** The URL clients use (issuer.ts); `--public-url` overrides it. */
  publicUrl: z
    .string()
    .superRefine((value, refinement) => {
      const problem = publicUrlProblem(value);
      if (problem !== undefined) refinement.addIssue({ code: "custom", message: problem });
    })
    .optional(),
});

/** The config as written in a file (defaults optional). */
export type EmulatorConfigInput = z.input<typeof emulatorConfigSchema>;
/** The config with every default filled in. */
export type EmulatorConfig = z.output<typeof emulatorConfigSchema>;
export type TenantConfig = EmulatorConfig["tenants"][number];
export type ClientConfig = TenantConfig["clients"][number];

export const DEMO_CLIENT_ID = "cxda-demo";
export const DEMO_CLIENT_SECRET = "cxda-demo-secret";
export const DEMO_TENANT_ID = "demo";

/**
 * The built-in default: tenant `demo`, client `cxda-demo` with every scope, `dataactions:execute`
 * granted explicitly (local use only): the demo's own test runs see its secrets, masked.
 */
export function defaultEmulatorConfig(): EmulatorConfig {
  return emulatorConfigSchema.parse({
    tenants: [
      {
        id: DEMO_TENANT_ID,
        clients: [{ id: DEMO_CLIENT_ID, secret: DEMO_CLIENT_SECRET, scopes: [...ALL_SCOPES] }],
      },
    ],
  });
}

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path)
    out = typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`;
  return out === "" ? "(root)" : out;
}

/** Cross-field rules zod cannot see: unique ids, access keys pointing at a client of their tenant. */
function crossCheck(config: EmulatorConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const tenantIds = new Map<string, number>();
  const clientIds = new Map<string, string>();
  const keyIds = new Map<string, string>();
  config.tenants.forEach((tenant, t) => {
    const seenTenant = tenantIds.get(tenant.id);
    if (seenTenant !== undefined)
      issues.push(
        issue(
          `tenants[${t}].id`,
          "duplicate",
          `tenant id "${tenant.id}" is already used by tenants[${seenTenant}]`,
        ),
      );
    else tenantIds.set(tenant.id, t);
    tenant.clients.forEach((client, c) => {
      const owner = clientIds.get(client.id);
      if (owner !== undefined)
        issues.push(
          issue(
            `tenants[${t}].clients[${c}].id`,
            "duplicate",
            `client id "${client.id}" is already used in tenant "${owner}"; client ids must be unique across tenants`,
          ),
        );
      else clientIds.set(client.id, tenant.id);
    });
    tenant.accessKeys.forEach((key, k) => {
      if (keyIds.has(key.id))
        issues.push(
          issue(
            `tenants[${t}].accessKeys[${k}].id`,
            "duplicate",
            `access key id "${key.id}" is used twice; access key ids must be unique`,
          ),
        );
      else keyIds.set(key.id, tenant.id);
      if (!tenant.clients.some((c) => c.id === key.client))
        issues.push(
          issue(
            `tenants[${t}].accessKeys[${k}].client`,
            "unknown-client",
            `access key "${key.id}" names client "${key.client}", which is not a client of tenant "${tenant.id}"`,
          ),
        );
    });
  });
  const envIds = new Set<string>();
  config.environments.forEach((env, e) => {
    if (envIds.has(env.id))
      issues.push(issue(`environments[${e}].id`, "duplicate", `environment id "${env.id}" is used twice`));
    envIds.add(env.id);
  });
  return issues;
}

/** Checks a parsed config value; throws `ValidationError` naming `source`, each field path and the problem. */
export function parseEmulatorConfig(value: unknown, source = "emulator config"): EmulatorConfig {
  const parsed = emulatorConfigSchema.safeParse(value);
  const issues: ValidationIssue[] = parsed.success
    ? crossCheck(parsed.data)
    : parsed.error.issues.map((i) =>
        issue(pathText(i.path), "validation-failed", `${pathText(i.path)}: ${i.message}`),
      );
  if (!parsed.success || issues.length > 0) {
    throw new ValidationError(
      `Invalid emulator config ${source}: ${issues.map((i) => (i.message.startsWith(i.path) ? i.message : `${i.path}: ${i.message}`)).join("; ")}`,
      { issues, slug: "validation-failed" },
    );
  }
  return parsed.data;
}

/** Reads a YAML or JSON config file (JSON is YAML); throws `ValidationError` naming the file. */
export function loadEmulatorConfig(path: string): EmulatorConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be read (${code})`;
    throw new ValidationError(
      `Emulator config file ${path} ${why}; pass an existing YAML or JSON file with --config.`,
      {
        slug: "validation-failed",
      },
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ValidationError(`Emulator config file ${path} is not valid YAML or JSON: ${message}`, {
      slug: "validation-failed",
    });
  }
  if (value === null || value === undefined)
    throw new ValidationError(`Emulator config file ${path} is empty; it needs at least a "tenants" list.`, {
      slug: "validation-failed",
    });
  return parseEmulatorConfig(value, `file ${path}`);
}

export interface EmulatorConfigOverrides {
  config?: EmulatorConfigInput;
  configFile?: string;
  rateLimit?: { perMinute: number; burst: number };
  tokenTtlSeconds?: number;
  sandbox?: { timeoutMs: number; memoryMb: number };
  disableCapabilities?: readonly string[];
  history?: { revisionsPerAction?: number; deploymentsPerTenant?: number };
}

/** The effective config: the file or given config (or the default), then option overrides, all validated. */
export function resolveEmulatorConfig(options: EmulatorConfigOverrides): EmulatorConfig {
  const base =
    options.config !== undefined
      ? parseEmulatorConfig(options.config, "option config")
      : options.configFile !== undefined
        ? loadEmulatorConfig(options.configFile)
        : defaultEmulatorConfig();
  return parseEmulatorConfig(
    {
      ...base,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
      ...(options.disableCapabilities ? { disableCapabilities: [...options.disableCapabilities] } : {}),
      ...(options.history ? { history: { ...base.history, ...options.history } } : {}),
    },
    "options",
  );
}
