/**
 * What a command gets to work with: settings, the printer, and lazily the client and the audit
 * recorder, so commands that need neither (`--help`, `validate`) never load them.
 */

import type { Command } from "commander";
import type { OperationRecorder } from "../audit/recorder.js";
import { defaultRedactor, type Redactor } from "../audit/redactor.js";
import type { ClientHooks, CxdaClient } from "../client/types.js";
import { ValidationError } from "../errors.js";
import type { WorkflowContext } from "../workflows/operation.js";
import { decideColors } from "./color.js";
import { Output } from "./output.js";
import {
  type GlobalFlags,
  isLoopback as isLoopbackUrl,
  requireCredentials,
  resolveSettings,
  type Settings,
} from "./settings.js";

export interface CommandContext {
  readonly flags: GlobalFlags;
  readonly out: Output;
  readonly redactor: Redactor;
  settings(): Settings;
  client(): Promise<CxdaClient>;
  recorder(): Promise<OperationRecorder>;
  /** The client, plus the audit recorder when the command writes. */
  workflow(writes: boolean): Promise<WorkflowContext>;
  close(): Promise<void>;
  /** The whole command tree, every module loaded (shell completion). */
  commandTree(): Promise<Command>;
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  commandTree?: () => Promise<Command>;
}

export function createContext(flags: GlobalFlags, options: ContextOptions = {}): CommandContext {
  const env = options.env ?? process.env;
  const redactor = defaultRedactor;
  const color = decideColors(flags.color, env, options);
  const format = flags.output ?? (flags.json === true || flags.jq !== undefined ? "json" : "table");
  const out = new Output({
    json: format !== "table",
    format,
    ...(flags.jq === undefined ? {} : { jq: flags.jq }),
    verbose: flags.verbose === true,
    color: color.stdout,
    errorColor: color.stderr,
    redactor,
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
  });
  redactor.onTooShort = (source, length) =>
    out.warn(
      `${source ?? "a secret"} is ${length} character${length === 1 ? "" : "s"} long, too short to be masked safely: ` +
        "output shows it as is; use a secret of at least 8 characters",
    );
  let settings: Settings | undefined;
  let client: CxdaClient | undefined;
  let recorder: OperationRecorder | undefined;

  const getSettings = () => {
    if (!settings) {
      settings = resolveSettings(flags, env);
      redactor.register(settings.clientSecret);
      redactor.register(settings.accessKeySecret);
      redactor.register(settings.webhookSecret);
    }
    return settings;
  };

  const context: CommandContext = {
    flags,
    out,
    redactor,
    settings: getSettings,
    async workflow(writes) {
      // A dry run writes nothing, so it records nothing either.
      const recorder = writes && flags.dryRun !== true ? await context.recorder() : undefined;
      return { client: await context.client(), recorder };
    },
    async client() {
      if (client) return client;
      const s = getSettings();
      requireCredentials(s);
      const { createClient } = await import("../client/client.js");
      client = createClient({
        baseUrl: s.baseUrl,
        auth:
          s.accessKeyId && s.accessKeySecret
            ? {
                type: "accessKey",
                clientId: s.clientId,
                clientSecret: s.clientSecret,
                accessKeyId: s.accessKeyId,
                accessKeySecret: s.accessKeySecret,
              }
            : {
                type: "clientCredentials",
                clientId: s.clientId,
                clientSecret: s.clientSecret,
                authMethod: s.authMethod,
              },
        redactor,
        // Nothing listening on loopback will not start by waiting: say so at once instead of retrying.
        ...(isLoopbackUrl(s.baseUrl) ? { retry: { failFastOnConnectionRefused: true } } : {}),
        hooks: out.verbose ? verboseHooks(out) : {},
        ...(flags.dryRun === true ? { beforeSend: (await import("./dry-run.js")).stopWrites } : {}),
      });
      return client;
    },
    async recorder() {
      if (recorder) return recorder;
      const s = getSettings();
      const [{ AuditLog, checkAuditPath }, { OperationRecorder }, { WebhookSender }] = await Promise.all([
        import("../audit/audit-log.js"),
        import("../audit/recorder.js"),
        import("../audit/webhooks.js"),
      ]);
      const check = checkAuditPath(s.auditLog);
      if (!check.ok) throw new ValidationError(check.message);
      if (s.webhookUrl !== undefined && s.webhookSecret === undefined) {
        out.warn(
          "a webhook URL is set without a webhook secret, so no events are sent; set --webhook-secret or CXDA_WEBHOOK_SECRET",
        );
      }
      recorder = new OperationRecorder({
        audit: new AuditLog(s.auditLog, { redactor }),
        ...(s.webhookUrl !== undefined && s.webhookSecret !== undefined
          ? {
              webhook: new WebhookSender({
                url: s.webhookUrl,
                secret: s.webhookSecret,
                ...(s.webhookSecretField ? { secretField: s.webhookSecretField } : {}),
                redactor,
              }),
            }
          : {}),
        actor: s.clientId,
        redactor,
        onWarning: (message) => out.warn(message),
      });
      return recorder;
    },
    async close() {
      await client?.close();
    },
    async commandTree() {
      if (!options.commandTree) throw new Error("the command tree is not available here");
      return options.commandTree();
    },
  };
  return context;
}

function verboseHooks(out: Output): ClientHooks {
  const path = (url: string) => {
    try {
      const u = new URL(url);
      return u.pathname + u.search;
    } catch {
      return url;
    }
  };
  return {
    onRequest(info) {
      const key = info.idempotencyKey ? ` Idempotency-Key: ${info.idempotencyKey}` : "";
      out.trace(
        `→ ${info.method} ${path(info.url)}${info.attempt > 1 ? ` (attempt ${info.attempt})` : ""}${key}`,
      );
      for (const [name, value] of Object.entries(info.headers)) out.trace(`    ${name}: ${value}`);
    },
    onResponse(info) {
      out.trace(
        `← ${info.status} ${info.method} ${path(info.url)} ${Math.round(info.latencyMs)} ms${info.requestId ? ` [${info.requestId}]` : ""}`,
      );
    },
    onRetry(info) {
      out.trace(
        `↻ retry ${info.method} ${path(info.url)} in ${Math.round(info.delayMs)} ms (attempt ${info.attempt + 1}): ${info.reason}`,
      );
    },
    onError(info) {
      out.trace(
        `✘ ${info.method} ${path(info.url)} after ${info.attempts} attempt(s): ${info.error.name} ${info.error.message}`,
      );
    },
  };
}
