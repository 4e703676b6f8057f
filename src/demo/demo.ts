/**
 * `cxda demo` / `npm start`: an embedded emulator on a free loopback port with a temporary data
 * directory, the built-in demo client, and every workflow, printed as a short report.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, readAuditLog } from "../audit/audit-log.js";
import { OperationRecorder } from "../audit/recorder.js";
import { WebhookSender } from "../audit/webhooks.js";
import type { Output } from "../cli/output.js";
import { createClient } from "../client/client.js";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startEmulator } from "../emulator/server.js";
import type { DemoEnv, DemoSection } from "./demo-env.js";
import { actionsBasicsSection } from "./sections/actions-basics.js";
import { auditTrailSection } from "./sections/audit-trail.js";
import { connectSection } from "./sections/connect.js";
import { createActionsSection } from "./sections/create-actions.js";
import { datetimeSection } from "./sections/datetime.js";
import { declarativeSection } from "./sections/declarative.js";
import { deploymentsSection } from "./sections/deployments.js";
import { headersSection } from "./sections/headers.js";
import { overridesSection } from "./sections/overrides.js";
import { variablesSection } from "./sections/variables.js";
import { startWebhookReceiver } from "./webhook-receiver.js";
import { wrapLine } from "./wrap.js";

/** The report, in order. Each workflow issue adds its section before the audit trail. */
export const DEMO_SECTIONS: DemoSection[] = [
  connectSection,
  actionsBasicsSection,
  createActionsSection,
  datetimeSection,
  variablesSection,
  overridesSection,
  headersSection,
  declarativeSection,
  deploymentsSection,
  auditTrailSection,
];

/** What `cxda demo --json` prints: the figures of the run, never a secret. */
export interface DemoSummary {
  sections: number;
  requests: number;
  retries: number;
  rateLimited: number;
  failedRequests: number;
  /** The ✘ lines of the report: what the demo had refused on purpose. */
  refusedOnPurpose: number;
  /** The ≠ lines of the report: drift the demo detected on purpose. */
  driftsDetected: number;
  webhookEvents: { received: number; verified: number };
  auditLines: number;
  seconds: number;
}

export async function runDemo(out: Output, sections: DemoSection[] = DEMO_SECTIONS): Promise<DemoSummary> {
  const started = performance.now();
  const workDir = await mkdtemp(join(tmpdir(), "cxda-demo-"));
  const emulator = await startEmulator({ port: 0, dataDir: join(workDir, "emulator") });
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
  out.redactor.register(webhookSecret);
  const receiver = await startWebhookReceiver(webhookSecret);
  const client = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET },
    redactor: out.redactor,
  });
  const auditPath = join(workDir, "cxda-audit.jsonl");
  const recorder = new OperationRecorder({
    audit: new AuditLog(auditPath, { redactor: out.redactor }),
    webhook: new WebhookSender({ url: receiver.url, secret: webhookSecret, redactor: out.redactor }),
    actor: DEMO_CLIENT_ID,
    redactor: out.redactor,
  });
  const c = out.colors;
  const print = (prefix: string, text: string) => {
    for (const line of wrapLine(prefix, text)) out.line(line);
  };
  let refusals = 0;
  let detections = 0;
  const env: DemoEnv = {
    out,
    client,
    ctx: { client, recorder },
    emulatorUrl: emulator.url,
    workDir,
    auditPath,
    receiver,
    section: (title) => out.line(`\n${c.bold(c.cyan(`▸ ${title}`))}`),
    say: (text) => print("  ", text),
    ok: (text) => print(`  ${c.green("✔")} `, text),
    refused: (text) => {
      refusals++;
      print(`  ${c.yellow("✘")} `, text);
    },
    found: (text) => {
      detections++;
      print(`  ${c.yellow("≠")} `, text);
    },
  };
  out.line(c.bold("cxda demo"));
  print("  ", `emulator ${emulator.url} (data in ${workDir}), demo client ${DEMO_CLIENT_ID}`);
  try {
    for (const section of sections) await section(env);
    const m = client.metrics();
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    env.section("Summary");
    env.say(
      `${refusals} refused on purpose (the ✘ lines above), ${detections} drift${detections === 1 ? "" : "s"} detected (the ≠ lines); ` +
        `${m.requests} API requests, ${m.retries} retries, ${m.rateLimited} rate-limited; ` +
        `median latency ${m.latency.p50.toFixed(1)} ms; ${seconds.toFixed(1)} s in all`,
    );
    return {
      sections: sections.length,
      requests: m.requests,
      retries: m.retries,
      rateLimited: m.rateLimited,
      failedRequests: m.failures,
      refusedOnPurpose: refusals,
      driftsDetected: detections,
      webhookEvents: {
        received: receiver.received.length,
        verified: receiver.received.filter((r) => r.verified).length,
      },
      auditLines: readAuditLog(auditPath).records.length,
      seconds,
    };
  } finally {
    await client.close();
    await receiver.close();
    await emulator.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
