/**
 * The one call a workflow makes after each mutating operation (issue 3): it emits the event to the
 * `onEvent` hook and the signed webhook, then appends exactly one audit line that includes the
 * webhook outcome. Events are sent for successful operations only; a failure is audited, not announced.
 * Nothing here throws because of a hook, a receiver or the audit file: problems become warnings.
 */
import type { AuditLog, AuditRecord } from "./audit-log.js";
import { type CxdaEventInput, type EventHandler, makeEvent } from "./events.js";
import { defaultRedactor, type Redactor } from "./redactor.js";
import type { WebhookSender } from "./webhooks.js";

export type RecordEntry = Omit<AuditRecord, "timestamp" | "actor" | "webhook">;

export interface OperationRecorderOptions {
  audit?: AuditLog;
  webhook?: WebhookSender;
  onEvent?: EventHandler;
  /** Client id of the caller. */
  actor: string;
  redactor?: Redactor;
  clock?: () => Date;
  /** Receives redacted warnings (webhook not delivered, hook failed, audit append failed).
   *  Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class OperationRecorder {
  private readonly options: OperationRecorderOptions;
  private readonly redactor: Redactor;
  private readonly clock: () => Date;
  private readonly warn: (message: string) => void;

  constructor(options: OperationRecorderOptions) {
    this.options = options;
    this.redactor = options.redactor ?? defaultRedactor;
    this.clock = options.clock ?? (() => new Date());
    this.warn = (message) => {
      const safe = this.redactor.redactString(message);
      if (options.onWarning) options.onWarning(safe);
      else process.emitWarning(safe, "CxdaWarning");
    };
  }

  /** Emits the event (successful operations only), then appends one audit line; returns the line written. */
  async record(entry: RecordEntry, event?: CxdaEventInput): Promise<AuditRecord> {
    const at = this.clock();
    const record: AuditRecord = { timestamp: at.toISOString(), actor: this.options.actor, ...entry };
    const { webhook, onEvent } = this.options;
    const announce = event !== undefined && entry.outcome === "success";

    if (announce) {
      const full = this.redactor.redact(makeEvent(event, at));
      const [hookError, delivery] = await Promise.all([
        onEvent ? this.callHook(onEvent, full) : Promise.resolve(undefined),
        webhook ? webhook.send(full) : Promise.resolve(undefined),
      ]);
      if (hookError !== undefined) {
        record.details = { ...record.details, onEventError: hookError };
        this.warn(`onEvent hook failed for ${full.type}: ${hookError}`);
      }
      if (delivery) {
        record.webhook = {
          delivered: delivery.delivered,
          attempts: delivery.attempts,
          ...(delivery.status === undefined ? {} : { status: delivery.status }),
          ...(delivery.error === undefined ? {} : { error: delivery.error }),
        };
        if (!delivery.delivered) {
          this.warn(
            `webhook ${full.type} not delivered after ${delivery.attempts} attempt(s): ${delivery.error ?? "unknown error"}; the operation itself succeeded`,
          );
        }
      }
    } else if (webhook) {
      record.webhook = { skipped: true };
    }

    const written = this.redactor.redact(record);
    if (this.options.audit) {
      try {
        this.options.audit.append(written);
      } catch (error) {
        this.warn(
          `audit line for ${record.operation} could not be written to ${this.options.audit.path}: ${messageOf(error)}`,
        );
      }
    }
    return written;
  }

  private async callHook(
    hook: EventHandler,
    event: Parameters<EventHandler>[0],
  ): Promise<string | undefined> {
    try {
      await hook(event);
      return undefined;
    } catch (error) {
      return this.redactor.redactString(messageOf(error));
    }
  }
}
