/** What every demo section gets: an embedded emulator, a client, the recorder, and the printer. */

import type { Output } from "../cli/output.js";
import type { CxdaClient } from "../client/types.js";
import type { WorkflowContext } from "../workflows/operation.js";
import type { WebhookReceiver } from "./webhook-receiver.js";

export interface DemoEnv {
  out: Output;
  client: CxdaClient;
  ctx: WorkflowContext;
  emulatorUrl: string;
  workDir: string;
  auditPath: string;
  receiver: WebhookReceiver;
  /** A heading for the section that follows. */
  section(title: string): void;
  /** One indented report line. */
  say(text: string): void;
  ok(text: string): void;
  /** Something the demo refused on purpose (a ✘ line, counted in the summary). */
  refused(text: string): void;
  /** A difference the demo detected on purpose, such as drift (a ≠ line, counted apart from refusals). */
  found(text: string): void;
}

export type DemoSection = (env: DemoEnv) => Promise<void>;
