/**
 * Every environment variable the CLI reads, by name, with the meaning `cxda --help` and docs/cli.md
 * show. Settings read them through `ENV` so a name is written once. Data only (no imports), so the
 * top-level help can list them without loading anything else.
 */
export const ENV = {
  baseUrl: "CXDA_BASE_URL",
  clientId: "CXDA_CLIENT_ID",
  clientSecret: "CXDA_CLIENT_SECRET",
  accessKeyId: "CXDA_ACCESS_KEY_ID",
  accessKeySecret: "CXDA_ACCESS_KEY_SECRET",
  profile: "CXDA_PROFILE",
  config: "CXDA_CONFIG",
  auditLog: "CXDA_AUDIT_LOG",
  webhookUrl: "CXDA_WEBHOOK_URL",
  webhookSecret: "CXDA_WEBHOOK_SECRET",
  xdgConfigHome: "XDG_CONFIG_HOME",
  noColor: "NO_COLOR",
  forceColor: "FORCE_COLOR",
  clicolorForce: "CLICOLOR_FORCE",
  term: "TERM",
  emulatorRootKey: "CXDA_EMULATOR_ROOT_KEY",
} as const;

export interface EnvVarHelp {
  names: readonly string[];
  meaning: string;
}

export const ENV_VARS: readonly EnvVarHelp[] = [
  { names: [ENV.baseUrl], meaning: "API base URL (default http://127.0.0.1:8787); flag --base-url" },
  {
    names: [ENV.clientId, ENV.clientSecret],
    meaning: "OAuth client credentials (the secret only from the environment or a profile)",
  },
  {
    names: [ENV.accessKeyId, ENV.accessKeySecret],
    meaning: "an access key, exchanged for a token together with the client",
  },
  {
    names: [ENV.profile],
    meaning: "the profile of the config file to use (default 'default'); flag --profile",
  },
  { names: [ENV.auditLog], meaning: "the audit log file (default ./cxda-audit.jsonl); flag --audit-log" },
  { names: [ENV.webhookUrl, ENV.webhookSecret], meaning: "send a signed event per mutating command" },
  {
    names: [ENV.config],
    meaning: "the config file of the profiles, instead of $XDG_CONFIG_HOME/cxda/config.yaml",
  },
  {
    names: [ENV.xdgConfigHome],
    meaning: "the config file is $XDG_CONFIG_HOME/cxda/config.yaml (default ~/.config)",
  },
  {
    names: [ENV.noColor, ENV.forceColor, ENV.clicolorForce, ENV.term],
    meaning:
      "colour, decided for stdout and stderr apart (a terminal each): NO_COLOR or --no-color turns it off, FORCE_COLOR or CLICOLOR_FORCE turn it on, TERM=dumb off",
  },
  {
    names: [ENV.emulatorRootKey],
    meaning: "emulator start --data-dir: the root key (64 hex characters or base64 of 32 bytes)",
  },
  {
    names: ["CXDA_SECRET_*"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown to users as is
    meaning: "values of the ${env:CXDA_SECRET_…} placeholders export writes; set them before plan/apply",
  },
];
