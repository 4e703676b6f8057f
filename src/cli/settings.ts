/**
 * Where the CLI's connection and audit settings come from (docs/cli.md): flags ▸ environment ▸ profile
 * file (`$XDG_CONFIG_HOME/cxda/config.yaml`, profile from `--profile` or `CXDA_PROFILE`, else
 * `default`). With nothing configured and a loopback base URL, the emulator's built-in demo client is
 * used, so `cxda emulator start` and the CLI work together with no setup.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { ENV } from "./env-vars.js";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8787";
const DEMO_CLIENT = { id: "cxda-demo", secret: "cxda-demo-secret" };

const profileSchema = z
  .object({
    baseUrl: z.string().url().optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    accessKeySecret: z.string().min(1).optional(),
    authMethod: z.enum(["basic", "post"]).optional(),
    auditLog: z.string().min(1).optional(),
    webhookUrl: z.string().url().optional(),
    webhookSecret: z.string().min(1).optional(),
  })
  .strict();

const profileFileSchema = z.object({ profiles: z.record(z.string(), profileSchema) }).strict();

export type Profile = z.infer<typeof profileSchema>;

export interface GlobalFlags {
  baseUrl?: string;
  profile?: string;
  clientId?: string;
  auditLog?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  json?: boolean;
  /** `--output json|yaml|table` (`--json` is `--output json`). */
  output?: "json" | "yaml" | "table";
  /** `--jq EXPR`: filter the JSON result through jq. */
  jq?: string;
  verbose?: boolean;
  /** A command's `--dry-run` (commander merges a command's own flags into these). */
  dryRun?: boolean;
  color?: boolean;
}

export interface Settings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  authMethod: "basic" | "post";
  auditLog: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Where the webhook secret came from, named when it is refused (docs/cli.md). */
  webhookSecretField?: string;
  profile: string;
  /** The config file the profile is read from (it may not exist). */
  configFile: string;
  /** True when the built-in demo credentials were picked because nothing else was configured. */
  demoCredentials: boolean;
  /**
   * Where each credential came from, for the errors that refuse it: `--client-id`, `CXDA_CLIENT_ID`,
   * `clientSecret of profile 'ci' in /home/u/.config/cxda/config.yaml`, … (never the value).
   */
  credentialSources: CredentialSources;
}

export type CredentialField = "clientId" | "clientSecret" | "accessKeyId" | "accessKeySecret";
export type CredentialSources = Partial<Record<CredentialField, string>>;

/** The flag (if any) and the variable each credential can be given by; the profile key is the field. */
const CREDENTIAL_INPUTS: Record<CredentialField, { flag?: string; env: string; what: string }> = {
  clientId: { flag: "--client-id", env: ENV.clientId, what: "client id" },
  clientSecret: { env: ENV.clientSecret, what: "client secret" },
  accessKeyId: { env: ENV.accessKeyId, what: "access key id" },
  accessKeySecret: { env: ENV.accessKeySecret, what: "access key secret" },
};

export function profilePath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[ENV.config];
  if (explicit !== undefined && explicit !== "") return explicit;
  const base =
    env[ENV.xdgConfigHome] && env[ENV.xdgConfigHome] !== ""
      ? env[ENV.xdgConfigHome]!
      : join(homedir(), ".config");
  return join(base, "cxda", "config.yaml");
}

/** Every profile of the config file (`CXDA_CONFIG`, else `$XDG_CONFIG_HOME/cxda/config.yaml`); none when it is missing. */
export function loadProfiles(env: NodeJS.ProcessEnv = process.env): {
  path: string;
  exists: boolean;
  profiles: Record<string, Profile>;
} {
  const path = profilePath(env);
  if (!existsSync(path)) return { path, exists: false, profiles: {} };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ValidationError(`${path}: not valid YAML (${(error as Error).message.split("\n")[0]})`);
  }
  const parsed = profileFileSchema.safeParse(raw ?? { profiles: {} });
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ValidationError(
      `${path}: ${first.path.join(".") || "(root)"}: ${first.message}; expected \`profiles: {<name>: {baseUrl, clientId, …}}\``,
    );
  }
  return { path, exists: true, profiles: parsed.data.profiles };
}

/** Checks one profile's fields (configure writes only what would load). */
export function parseProfile(value: unknown): Profile {
  const parsed = profileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0]!;
  throw new ValidationError(`${first.path.join(".") || "profile"}: ${first.message}`);
}

export function loadProfile(name: string, env: NodeJS.ProcessEnv = process.env, explicit = false): Profile {
  const { path, exists, profiles } = loadProfiles(env);
  if (!exists) {
    if (explicit) throw new ValidationError(`profile '${name}' was asked for, but ${path} does not exist`);
    return {};
  }
  const profile = profiles[name];
  if (!profile) {
    if (explicit) {
      const known = Object.keys(profiles).join(", ") || "none";
      throw new ValidationError(`profile '${name}' is not in ${path} (profiles: ${known})`);
    }
    return {};
  }
  return profile;
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host.startsWith("127.");
  } catch {
    return false;
  }
}

export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const explicitProfile = flags.profile ?? env[ENV.profile];
  const profileName = explicitProfile ?? "default";
  const profile = loadProfile(profileName, env, explicitProfile !== undefined);
  const pick = (flag: string | undefined, envName: string, fromProfile: string | undefined) =>
    nonEmpty(flag) ?? nonEmpty(env[envName]) ?? fromProfile;

  const baseUrl = pick(flags.baseUrl, ENV.baseUrl, profile.baseUrl) ?? DEFAULT_BASE_URL;
  // Where the value came from, so the error points at what to fix.
  const baseUrlSource =
    nonEmpty(flags.baseUrl) !== undefined
      ? "--base-url"
      : nonEmpty(env[ENV.baseUrl]) !== undefined
        ? ENV.baseUrl
        : `baseUrl of profile '${profileName}'`;
  let parsedBaseUrl: URL;
  try {
    parsedBaseUrl = new URL(baseUrl);
  } catch {
    throw new ValidationError(
      `${baseUrlSource} '${baseUrl}' is not a URL; expected e.g. ${DEFAULT_BASE_URL}`,
    );
  }
  if (parsedBaseUrl.protocol !== "http:" && parsedBaseUrl.protocol !== "https:")
    throw new ValidationError(
      `${baseUrlSource} '${baseUrl}': the scheme ${parsedBaseUrl.protocol.replace(/:$/, "")} is not supported; use http:// or https://, e.g. ${DEFAULT_BASE_URL}`,
    );
  const configFile = profilePath(env);
  const credentialSources: CredentialSources = {};
  const credential = (field: CredentialField, flag: string | undefined): string | undefined => {
    const value = pick(flag, CREDENTIAL_INPUTS[field].env, profile[field]);
    if (value !== undefined)
      credentialSources[field] =
        nonEmpty(flag) !== undefined
          ? CREDENTIAL_INPUTS[field].flag!
          : nonEmpty(env[CREDENTIAL_INPUTS[field].env]) !== undefined
            ? CREDENTIAL_INPUTS[field].env
            : `${field} of profile '${profileName}' in ${configFile}`;
    return value;
  };
  let clientId = credential("clientId", flags.clientId);
  let clientSecret = credential("clientSecret", undefined);
  let demoCredentials = false;
  if (clientId === undefined && clientSecret === undefined && isLoopback(baseUrl)) {
    clientId = DEMO_CLIENT.id;
    clientSecret = DEMO_CLIENT.secret;
    demoCredentials = true;
    const demo =
      "the emulator's built-in demo client (used when nothing is configured and the base URL is loopback)";
    credentialSources.clientId = demo;
    credentialSources.clientSecret = demo;
  }
  const auditLog = pick(flags.auditLog, ENV.auditLog, profile.auditLog) ?? "./cxda-audit.jsonl";
  const settings: Settings = {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    clientId: clientId ?? "",
    clientSecret: clientSecret ?? "",
    authMethod: profile.authMethod ?? "basic",
    auditLog,
    profile: profileName,
    configFile,
    demoCredentials,
    credentialSources,
  };
  const accessKeyId = credential("accessKeyId", undefined);
  const accessKeySecret = credential("accessKeySecret", undefined);
  if (accessKeyId !== undefined) settings.accessKeyId = accessKeyId;
  if (accessKeySecret !== undefined) settings.accessKeySecret = accessKeySecret;
  const webhookUrl = pick(flags.webhookUrl, ENV.webhookUrl, profile.webhookUrl);
  const webhookSecret = pick(flags.webhookSecret, ENV.webhookSecret, profile.webhookSecret);
  if (webhookUrl !== undefined) settings.webhookUrl = webhookUrl;
  if (webhookSecret !== undefined) {
    settings.webhookSecret = webhookSecret;
    settings.webhookSecretField =
      nonEmpty(flags.webhookSecret) !== undefined
        ? "--webhook-secret"
        : nonEmpty(env.CXDA_WEBHOOK_SECRET) !== undefined
          ? "CXDA_WEBHOOK_SECRET"
          : `webhookSecret of profile '${profileName}' in ${profilePath(env)}`;
  }
  return settings;
}

/** Throws a clear error when the settings cannot authenticate, naming where each part came from. */
export function requireCredentials(settings: Settings): void {
  const where = (field: CredentialField) => {
    const input = CREDENTIAL_INPUTS[field];
    const ways = [input.flag, input.env].filter((x) => x !== undefined);
    return `${ways.join(", ")} or ${field} of profile '${settings.profile}' in ${settings.configFile}`;
  };
  const fix = `(\`cxda configure --profile ${settings.profile}\` writes a profile)`;
  const has = (field: CredentialField) => settings.credentialSources[field] !== undefined;
  if (!has("clientId") && !has("clientSecret"))
    throw new ValidationError(
      `no client credentials: neither a client id nor a client secret is set; give the id by ${where("clientId")} ` +
        `and the secret by ${where("clientSecret")} ${fix}. The demo client is used automatically only for a loopback --base-url`,
    );
  for (const [given, missing] of [
    ["clientId", "clientSecret"],
    ["clientSecret", "clientId"],
    ["accessKeyId", "accessKeySecret"],
    ["accessKeySecret", "accessKeyId"],
  ] as const) {
    if (has(given) && !has(missing))
      throw new ValidationError(
        `the ${CREDENTIAL_INPUTS[given].what} is set (by ${settings.credentialSources[given]}) but no ${CREDENTIAL_INPUTS[missing].what}: ` +
          `set it by ${where(missing)} ${fix}`,
      );
  }
}

/**
 * Where the credentials a refused token request used came from, and what to change:
 * `invalid_client` is the client id or secret, `invalid_grant` the access key.
 */
export function credentialRefusal(settings: Settings, code: string | undefined): string | undefined {
  const fields: [CredentialField, CredentialField] | undefined =
    code === "invalid_client"
      ? ["clientId", "clientSecret"]
      : code === "invalid_grant" && settings.accessKeyId !== undefined
        ? ["accessKeyId", "accessKeySecret"]
        : undefined;
  if (!fields) return undefined;
  const [id, secret] = fields;
  const sources = settings.credentialSources;
  const idText =
    id === "clientId"
      ? `the client id '${settings.clientId}' (from ${sources.clientId})`
      : `the access key id '${settings.accessKeyId}' (from ${sources.accessKeyId})`;
  return (
    `${settings.baseUrl} refused ${idText} with the ${CREDENTIAL_INPUTS[secret].what} from ${sources[secret]}; ` +
    `correct the one that is wrong there, or write a profile with \`cxda configure --profile ${settings.profile}\``
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
