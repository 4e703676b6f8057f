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
  /** True when the built-in demo credentials were picked because nothing else was configured. */
  demoCredentials: boolean;
}

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
  let clientId = pick(flags.clientId, ENV.clientId, profile.clientId);
  let clientSecret = pick(undefined, ENV.clientSecret, profile.clientSecret);
  let demoCredentials = false;
  if (clientId === undefined && clientSecret === undefined && isLoopback(baseUrl)) {
    clientId = DEMO_CLIENT.id;
    clientSecret = DEMO_CLIENT.secret;
    demoCredentials = true;
  }
  const auditLog = pick(flags.auditLog, ENV.auditLog, profile.auditLog) ?? "./cxda-audit.jsonl";
  const settings: Settings = {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    clientId: clientId ?? "",
    clientSecret: clientSecret ?? "",
    authMethod: profile.authMethod ?? "basic",
    auditLog,
    profile: profileName,
    demoCredentials,
  };
  const accessKeyId = pick(undefined, ENV.accessKeyId, profile.accessKeyId);
  const accessKeySecret = pick(undefined, ENV.accessKeySecret, profile.accessKeySecret);
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

/** Throws a clear error when the settings cannot authenticate. */
export function requireCredentials(settings: Settings): void {
  if (settings.clientId === "" || settings.clientSecret === "") {
    throw new ValidationError(
      "no client credentials: set CXDA_CLIENT_ID and CXDA_CLIENT_SECRET, or a profile in " +
        `${profilePath()} (the demo client is used automatically only for a loopback --base-url)`,
    );
  }
  if ((settings.accessKeyId === undefined) !== (settings.accessKeySecret === undefined)) {
    throw new ValidationError("set both CXDA_ACCESS_KEY_ID and CXDA_ACCESS_KEY_SECRET, or neither");
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
