/**
 * The SDK's `createClient`: the HTTP client core plus every workflow bound to it, with the audit log,
 * the signed webhook and the `onEvent` hook of SPEC §10 wired in when asked for.
 *
 *   const cxda = createClient({ baseUrl, auth, auditLog: "./cxda-audit.jsonl", onEvent: (e) => … });
 *   await cxda.createAction({ name: "x", … });
 */
import { AuditLog, checkAuditPath } from "../audit/audit-log.js";
import type { EventHandler } from "../audit/events.js";
import { OperationRecorder } from "../audit/recorder.js";
import { defaultRedactor } from "../audit/redactor.js";
import { WebhookSender } from "../audit/webhooks.js";
import { createClient as createCoreClient } from "../client/client.js";
import type { ClientOptions, CxdaClient } from "../client/types.js";
import { ValidationError } from "../errors.js";
import type { WorkflowContext } from "../workflows/operation.js";
import { WORKFLOWS } from "./workflows.js";

export interface SdkOptions extends ClientOptions {
  /** Append one JSON line per mutating operation to this file (SPEC §10). */
  auditLog?: string;
  /** Send signed Standard Webhooks events here. */
  webhook?: { url: string; secret: string };
  /** Called with every event after a successful mutating operation. */
  onEvent?: EventHandler;
  /** Warnings about audit or webhook delivery (default: ignored). */
  onWarning?: (message: string) => void;
}

type Bound<F> = F extends (ctx: WorkflowContext, ...args: infer A) => infer R ? (...args: A) => R : never;
export type BoundWorkflows = { [K in keyof typeof WORKFLOWS]: Bound<(typeof WORKFLOWS)[K]> };
export type CxdaSdk = CxdaClient & BoundWorkflows & { readonly context: WorkflowContext };

export function createSdk(options: SdkOptions): CxdaSdk {
  const redactor = options.redactor ?? defaultRedactor;
  const client = createCoreClient({ ...options, redactor });
  let recorder: OperationRecorder | undefined;
  if (options.auditLog !== undefined || options.webhook !== undefined || options.onEvent !== undefined) {
    if (options.auditLog !== undefined) {
      const check = checkAuditPath(options.auditLog);
      if (!check.ok) throw new ValidationError(check.message);
    }
    if (options.webhook) redactor.register(options.webhook.secret);
    recorder = new OperationRecorder({
      ...(options.auditLog !== undefined ? { audit: new AuditLog(options.auditLog, { redactor }) } : {}),
      ...(options.webhook ? { webhook: new WebhookSender({ ...options.webhook, redactor }) } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      actor: client.clientId,
      redactor,
    });
  }
  return bindWorkflows(client, recorder);
}

/** Binds every workflow of WORKFLOWS onto a client, sharing one context (the CLI and the demo use it too). */
export function bindWorkflows(client: CxdaClient, recorder?: OperationRecorder): CxdaSdk {
  const context: WorkflowContext = { client, recorder };
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(WORKFLOWS)) {
    bound[name] = (...args: unknown[]) =>
      (fn as (ctx: WorkflowContext, ...a: unknown[]) => unknown)(context, ...args);
  }
  // The client's own members stay reachable through the prototype chain; workflows sit on top.
  return Object.assign(Object.create(client) as CxdaClient, bound, { context }) as unknown as CxdaSdk;
}
