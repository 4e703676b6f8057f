/**
 * R6: every secret the run used — client secrets, each token the SDK clients fetched, the webhook
 * secret, and secret values written through workflows — searched for in the spawned CLI's stdout and
 * stderr (with --verbose traces), every audit log, every webhook body and header received, and every
 * emulator database file (incl. -wal/-shm), a promotion of the masked override included. Token-shaped strings in the outputs are also checked
 * against the emulator's live tokens, which catches the CLI's own tokens. 0 occurrences.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startWebhookReceiver } from "../../src/demo/webhook-receiver.js";
import { hashToken } from "../../src/emulator/auth/token-service.js";
import { CLI, runCxda } from "../helpers/cli.js";
import { actionInput, type ChaosRun, chaosClient, exactly, type Figure, info } from "./harness.js";
import { createOne, workflow } from "./workflows.js";

function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")])];
}

function occurrences(text: string, secrets: string[]): number {
  let n = 0;
  for (const s of secrets)
    for (const f of forms(s)) for (let i = text.indexOf(f); i >= 0; i = text.indexOf(f, i + 1)) n += 1;
  return n;
}

export async function runR6(run: ChaosRun): Promise<Figure[]> {
  const emulator = await run.emulator("r6");
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
  run.secrets.add(webhookSecret, "webhook secret");
  const receiver = await startWebhookReceiver(webhookSecret);
  const auditLog = run.auditPath("r6");
  const audited = chaosClient(run, emulator, "sdk", {
    auditLog,
    webhook: { url: receiver.url, secret: webhookSecret },
  });
  const plain = chaosClient(run, emulator, "raw");
  const figures: Figure[] = [];
  try {
    const a = await createOne(audited, plain, actionInput("r6_sdk_a"));
    await createOne(audited, plain, actionInput("r6_cli_a"));
    await workflow(audited, "deleteAction")?.(a.id);
    // Secret values written through the workflows: an encrypted variable and a masked override.
    const holder = await createOne(audited, plain, actionInput("r6_secrets"));
    const variableSecret = `chaos-var-${randomBytes(12).toString("hex")}`;
    const maskedSecret = `chaos-mask-${randomBytes(12).toString("hex")}`;
    run.secrets.add(variableSecret, "encrypted variable");
    run.secrets.add(maskedSecret, "masked override");
    await workflow(audited, "registerVariables")?.(holder.id, [
      { name: "apiKey", type: "string", value: variableSecret, encrypted: true },
    ]);
    await workflow(audited, "applyOverrides")?.(holder.id, "dev", [
      { name: "API_TOKEN", value: maskedSecret, masked: true },
    ]);
    const credential = `Bearer chaos-cred-${randomBytes(12).toString("hex")}`;
    run.credentialHeaders.push(credential);
    const apiKey = `k-${randomBytes(12).toString("hex")}`;
    run.credentialHeaders.push(apiKey);
    await workflow(audited, "setHeaders")?.(holder.id, { Authorization: credential, "X-Api-Key": apiKey });

    let cliRuns = 0;
    if (existsSync(CLI)) {
      const env = {
        CXDA_BASE_URL: emulator.url,
        CXDA_CLIENT_ID: "chaos-sdk",
        CXDA_CLIENT_SECRET: run.clientSecrets.sdk,
        CXDA_WEBHOOK_URL: receiver.url,
        CXDA_WEBHOOK_SECRET: webhookSecret,
        CXDA_AUDIT_LOG: run.auditPath("r6-cli"),
      };
      const commands = [
        ["auth", "check", "--verbose"],
        ["auth", "check", "--json"],
        ["actions", "list", "--verbose"],
        ["actions", "get", "r6_cli_a", "--verbose", "--json"],
        ["actions", "delete", "r6_cli_a", "--yes", "--verbose"],
        ["actions", "get", "r6_cli_a", "--verbose"],
        ["vars", "get", "r6_secrets", "--verbose"],
        ["vars", "get", "r6_secrets", "--json"],
        ["overrides", "get", "r6_secrets", "--env", "dev", "--verbose"],
        ["overrides", "get", "r6_secrets", "--env", "dev", "--json"],
        ["headers", "get", "r6_secrets", "--verbose"],
        // Promotion copies the masked override into staging server-side: nothing of it may surface.
        ["promote", "r6_secrets", "--from", "dev", "--to", "staging", "--auto-approve", "--verbose"],
        ["drift", "r6_secrets", "--baseline", "dev", "--target", "staging", "--json", "--verbose"],
        ["audit", "--file", run.auditPath("r6-cli"), "--json"],
      ];
      for (const args of commands) {
        const result = await runCxda(args, { env, cwd: run.dir });
        if (args[0] === "promote")
          figures.push(exactly("R6", "cxda promote of the masked override (exit code)", result.code, 0));
        cliRuns += 1;
        run.outputs.push({ sink: "CLI stdout", text: result.stdout });
        run.outputs.push({ sink: "CLI stderr and --verbose traces", text: result.stderr });
      }
      // A wrong secret: the refusal must not echo it either.
      const wrong = `chaos-wrong-${randomBytes(12).toString("hex")}`;
      run.secrets.add(wrong, "wrong client secret");
      const refused = await runCxda(["actions", "list", "--verbose"], {
        env: { ...env, CXDA_CLIENT_SECRET: wrong },
        cwd: run.dir,
      });
      cliRuns += 1;
      run.outputs.push({ sink: "CLI stdout", text: refused.stdout });
      run.outputs.push({ sink: "CLI stderr and --verbose traces", text: refused.stderr });
    }
    for (const w of receiver.received)
      run.outputs.push({
        sink: "webhook bodies and headers",
        text: `${JSON.stringify(w.headers)}\n${w.body}`,
      });

    // Token-shaped strings in any output that the emulator would accept as a live token.
    let liveTokens = 0;
    for (const { text } of run.outputs)
      for (const m of text.matchAll(/[A-Za-z0-9_-]{43}/g))
        if (emulator.store.tokens.get(hashToken(m[0])) !== undefined) liveTokens += 1;

    await audited.close();
    await plain.close();
    await emulator.close();

    // The API returns an action's headers, so `actions get` / `headers get --show-values` may print
    // credential header values: they are left out of the output search, and checked on their own below.
    const secrets = [...run.secrets.collected.keys()].filter((s) => !run.credentialHeaders.includes(s));
    const bySink = new Map<string, number>();
    const leakedKinds = new Set<string>();
    const count = (sink: string, text: string) => {
      for (const secret of secrets)
        if (occurrences(text, [secret]) > 0)
          leakedKinds.add(`${run.secrets.collected.get(secret)?.kind} in ${sink}`);
      return countOnly(sink, text);
    };
    const countOnly = (sink: string, text: string) =>
      bySink.set(sink, (bySink.get(sink) ?? 0) + occurrences(text, secrets));
    for (const { sink, text } of run.outputs) count(sink, text);
    for (const file of run.auditLogs) if (existsSync(file)) count("audit logs", readFileSync(file, "latin1"));
    let dbFiles = 0;
    for (const dir of run.dataDirs)
      for (const name of readdirSync(dir)) {
        dbFiles += 1;
        count("emulator database files", readFileSync(join(dir, name)).toString("latin1"));
      }
    // The emulator seals credential header values at rest: the database holds only ciphertext.
    let plaintextHeaders = 0;
    for (const dir of run.dataDirs)
      for (const name of readdirSync(dir))
        plaintextHeaders += occurrences(
          readFileSync(join(dir, name)).toString("latin1"),
          run.credentialHeaders,
        );
    figures.push(
      exactly("R6", "credential header values in emulator database files", plaintextHeaders, 0),
      info("R6", "secrets searched (with encoded forms)", secrets.length),
      info(
        "R6",
        "CLI runs / webhook deliveries / db files",
        `${cliRuns} / ${receiver.received.length} / ${dbFiles}`,
      ),
    );
    for (const sink of [
      "CLI stdout",
      "CLI stderr and --verbose traces",
      "audit logs",
      "webhook bodies and headers",
      "emulator database files",
    ])
      figures.push(exactly("R6", `secrets in ${sink}`, bySink.get(sink) ?? 0, 0));
    figures.push(exactly("R6", "live tokens in any output", liveTokens, 0));
    for (const kind of leakedKinds) figures.push(info("R6", "leaked", kind));
    // Credential header values: never in traces, audit lines or webhooks.
    let credentialLeaks = 0;
    for (const { sink, text } of run.outputs)
      if (sink !== "CLI stdout") credentialLeaks += occurrences(text, run.credentialHeaders);
    for (const file of run.auditLogs)
      if (existsSync(file)) credentialLeaks += occurrences(readFileSync(file, "utf8"), run.credentialHeaders);
    figures.push(exactly("R6", "credential header values in traces, audit, webhooks", credentialLeaks, 0));
    if (cliRuns === 0) figures.push(exactly("R6", "CLI runs (dist/cli/bin.cjs built?)", 0, 1));
    return figures;
  } finally {
    await receiver.close();
    await audited.close().catch(() => undefined);
    await plain.close().catch(() => undefined);
    await emulator.close();
  }
}
