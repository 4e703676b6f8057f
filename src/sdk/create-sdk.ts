/**
 * The SDK's `createClient`: the HTTP client core plus every workflow bound to it, with the audit log,
 * the signed webhook and the `onEvent` hook wired in when asked for.
 *
 *   const cxda = createClient({ baseUrl, auth, auditLog: "./cxda-audit.jsonl", onEvent: (e) => … });
 *   await cxda.actions.add({ name: "x", … });
 *   await cxda.headers.set("x", { "X-Source": "cxda" });
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
import { FLAT_WORKFLOWS, WORKFLOW_GROUPS } from "./workflows.js";

export interface SdkOptions extends ClientOptions {
  /** Append one JSON line per mutating operation to this file. */
  auditLog?: string;
  /** Send signed Standard Webhooks events here. */
  webhook?: { url: string; secret: string };
  /** Called with every event after a successful mutating operation. */
  onEvent?: EventHandler;
  /** Warnings about audit or webhook delivery (default: ignored). */
  onWarning?: (message: string) => void;
}

type Bound<F> = F extends (ctx: WorkflowContext, ...args: infer A) => infer R ? (...args: A) => R : never;
type BoundGroup<G> = { [K in keyof G]: Bound<G[K]> };
type Groups = typeof WORKFLOW_GROUPS;

/** Each group's workflows; a group named like a client resource keeps the resource's other methods. */
export type SdkGroups = {
  [K in keyof Groups]: K extends keyof CxdaClient
    ? Omit<CxdaClient[K], keyof Groups[K]> & BoundGroup<Groups[K]>
    : BoundGroup<Groups[K]>;
};

/** The first release's flat workflow names, kept for one release (docs/sdk.md maps each to its group). */
export interface DeprecatedWorkflows {
  /** @deprecated use `cxda.actions.listAll` (the same workflow); this flat name goes in the next release. */
  listActions: Bound<(typeof FLAT_WORKFLOWS)["listActions"]>;
  /** @deprecated use `cxda.actions.resolve` (the same workflow); this flat name goes in the next release. */
  getAction: Bound<(typeof FLAT_WORKFLOWS)["getAction"]>;
  /** @deprecated use `cxda.actions.remove` (the same workflow); this flat name goes in the next release. */
  deleteAction: Bound<(typeof FLAT_WORKFLOWS)["deleteAction"]>;
  /** @deprecated use `cxda.actions.add` (the same workflow); this flat name goes in the next release. */
  createAction: Bound<(typeof FLAT_WORKFLOWS)["createAction"]>;
  /** @deprecated use `cxda.actions.test` (the same workflow); this flat name goes in the next release. */
  testAction: Bound<(typeof FLAT_WORKFLOWS)["testAction"]>;
  /** @deprecated use `cxda.headers.get` (the same workflow); this flat name goes in the next release. */
  getHeaders: Bound<(typeof FLAT_WORKFLOWS)["getHeaders"]>;
  /** @deprecated use `cxda.headers.set` (the same workflow); this flat name goes in the next release. */
  setHeaders: Bound<(typeof FLAT_WORKFLOWS)["setHeaders"]>;
  /** @deprecated use `cxda.headers.unset` (the same workflow); this flat name goes in the next release. */
  unsetHeaders: Bound<(typeof FLAT_WORKFLOWS)["unsetHeaders"]>;
  /** @deprecated use `cxda.headers.replace` (the same workflow); this flat name goes in the next release. */
  replaceHeaders: Bound<(typeof FLAT_WORKFLOWS)["replaceHeaders"]>;
  /** @deprecated use `cxda.variables.register` (the same workflow); this flat name goes in the next release. */
  registerVariables: Bound<(typeof FLAT_WORKFLOWS)["registerVariables"]>;
  /** @deprecated use `cxda.variables.get` (the same workflow); this flat name goes in the next release. */
  getVariables: Bound<(typeof FLAT_WORKFLOWS)["getVariables"]>;
  /** @deprecated use `cxda.variables.resolve` (the same workflow); this flat name goes in the next release. */
  resolveVariables: Bound<(typeof FLAT_WORKFLOWS)["resolveVariables"]>;
  /** @deprecated use `cxda.variables.reencrypt` (the same workflow); this flat name goes in the next release. */
  reencrypt: Bound<(typeof FLAT_WORKFLOWS)["reencrypt"]>;
  /** @deprecated use `cxda.variables.metrics` (the same workflow); this flat name goes in the next release. */
  variableMetrics: Bound<(typeof FLAT_WORKFLOWS)["variableMetrics"]>;
  /** @deprecated use `cxda.globalVariables.get` (the same workflow); this flat name goes in the next release. */
  getGlobalVariables: Bound<(typeof FLAT_WORKFLOWS)["getGlobalVariables"]>;
  /** @deprecated use `cxda.globalVariables.set` (the same workflow); this flat name goes in the next release. */
  setGlobalVariables: Bound<(typeof FLAT_WORKFLOWS)["setGlobalVariables"]>;
  /** @deprecated use `cxda.globalVariables.reencrypt` (the same workflow); this flat name goes in the next release. */
  reencryptGlobalVariables: Bound<(typeof FLAT_WORKFLOWS)["reencryptGlobalVariables"]>;
  /** @deprecated use `cxda.environments.list` (the same workflow); this flat name goes in the next release. */
  listEnvironments: Bound<(typeof FLAT_WORKFLOWS)["listEnvironments"]>;
  /** @deprecated use `cxda.overrides.get` (the same workflow); this flat name goes in the next release. */
  getOverrides: Bound<(typeof FLAT_WORKFLOWS)["getOverrides"]>;
  /** @deprecated use `cxda.overrides.apply` (the same workflow); this flat name goes in the next release. */
  applyOverrides: Bound<(typeof FLAT_WORKFLOWS)["applyOverrides"]>;
  /** @deprecated use `cxda.overrides.unset` (the same workflow); this flat name goes in the next release. */
  unsetOverrides: Bound<(typeof FLAT_WORKFLOWS)["unsetOverrides"]>;
  /** @deprecated use `cxda.overrides.diff` (the same workflow); this flat name goes in the next release. */
  diffTenant: Bound<(typeof FLAT_WORKFLOWS)["diffTenant"]>;
  /** @deprecated use `cxda.builds.trigger` (the same workflow); this flat name goes in the next release. */
  triggerBuild: Bound<(typeof FLAT_WORKFLOWS)["triggerBuild"]>;
  /** @deprecated use `cxda.builds.get` (the same workflow); this flat name goes in the next release. */
  getBuild: Bound<(typeof FLAT_WORKFLOWS)["getBuild"]>;
  /** @deprecated use `cxda.keys.rotate` (the same workflow); this flat name goes in the next release. */
  rotateKey: Bound<(typeof FLAT_WORKFLOWS)["rotateKey"]>;
  /** @deprecated use `cxda.keys.rotationCheck` (the same workflow); this flat name goes in the next release. */
  rotationCheck: Bound<(typeof FLAT_WORKFLOWS)["rotationCheck"]>;
  /** @deprecated use `cxda.dateProcessing.apply` (the same workflow); this flat name goes in the next release. */
  applyDateProcessing: Bound<(typeof FLAT_WORKFLOWS)["applyDateProcessing"]>;
  /** @deprecated use `cxda.project.apply` (the same workflow); this flat name goes in the next release. */
  applyPlan: Bound<(typeof FLAT_WORKFLOWS)["applyPlan"]>;
}

/** @deprecated the flat names' type; use CxdaSdk. */
export type BoundWorkflows = DeprecatedWorkflows;

export type CxdaSdk = Omit<CxdaClient, keyof SdkGroups> &
  SdkGroups &
  DeprecatedWorkflows & { readonly context: WorkflowContext };

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
      ...(options.webhook
        ? { webhook: new WebhookSender({ ...options.webhook, secretField: "webhook.secret", redactor }) }
        : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      actor: client.clientId,
      redactor,
    });
  }
  return bindWorkflows(client, recorder);
}

/**
 * Binds every workflow onto a client, sharing one context: grouped by resource, plus the deprecated flat
 * names (the CLI and the demo use it too). Workflows call the plain client in `context`.
 */
export function bindWorkflows(client: CxdaClient, recorder?: OperationRecorder): CxdaSdk {
  const context: WorkflowContext = { client, recorder };
  const bind =
    (fn: unknown) =>
    (...args: unknown[]) =>
      (fn as (ctx: WorkflowContext, ...a: unknown[]) => unknown)(context, ...args);
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(FLAT_WORKFLOWS)) bound[name] = bind(fn);
  for (const [group, workflows] of Object.entries(WORKFLOW_GROUPS)) {
    // A resource of the client under the same name stays reachable through the group's prototype.
    const resource = (client as unknown as Record<string, object | undefined>)[group];
    const target: Record<string, unknown> = Object.create(resource ?? Object.prototype);
    for (const [name, fn] of Object.entries(workflows)) target[name] = bind(fn);
    bound[group] = target;
  }
  // The client's own members stay reachable through the prototype chain; workflows sit on top.
  return Object.assign(Object.create(client) as CxdaClient, bound, { context }) as unknown as CxdaSdk;
}
