/**
 * A console over a real tenant: the in-process emulator with examples/contact-center applied through
 * the SDK (with an audit log), drift made on purpose, and the console server started on port 0; plus
 * the distribution's Chromium driven by playwright-core. Tests skip (one line) where it is missing.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type RunningConsole, startConsole } from "../../src/console/server.js";
import { type CxdaSdk, createClient, NotFoundError } from "../../src/index.js";
import { computePlan, readLiveState, validateProject } from "../../src/project/index.js";
import { type Emulator, startTestEmulator, UNTHROTTLED } from "../emulator/helpers.js";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
/** Screenshots go here: under the test output, ignored by git. */
export const SCREENSHOTS = resolve(import.meta.dirname, "../../test-output/console");

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../examples/contact-center");

/** Every secret value this fixture uses: none may reach the browser. */
export const SECRETS = {
  CRM_API_TOKEN: "crm-token-Zq81Lx02Pw93",
  CRM_API_KEY: "crm-key-Ym52Kd17Rt40",
  QUEUE_API_SECRET: "queue-secret-Hv63Nb28Sa71",
  STAGING_QUEUE_SECRET: "staging-queue-Qx90Tr44Lm12",
};
export const CLIENT_SECRET = "cxda-demo-secret";
export const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString("base64")}`;

export interface ConsoleFixture {
  emulator: Emulator;
  sdk: CxdaSdk;
  console: RunningConsole;
  auditLog: string;
  dir: string;
  close(): Promise<void>;
}

export async function applyExample(sdk: CxdaSdk): Promise<void> {
  const text = readFileSync(join(EXAMPLE_DIR, "cxda.yaml"), "utf8");
  const { project, problems } = validateProject(text, { baseDir: EXAMPLE_DIR, env: SECRETS });
  if (!project) throw new Error(JSON.stringify(problems));
  const { live } = await readLiveState(sdk);
  const result = await sdk.project.apply(project, computePlan(project, live, {}));
  if (!result.ok) throw new Error(`apply failed: ${JSON.stringify(result.failures)}`);
}

/**
 * Drift on purpose: a value only dev has; staging's queue settings as prod's but with another masked
 * secret (against prod, staging's route_to_queue differs only in a masked value).
 */
export async function makeDrift(sdk: CxdaSdk): Promise<void> {
  await sdk.overrides.apply("normalize_phone", "dev", [{ name: "DEBUG", value: "true" }]);
  await sdk.overrides.apply("route_to_queue", "staging", [
    { name: "QUEUE_PREFIX", value: "prod-" },
    { name: "QUEUE_API_SECRET", value: SECRETS.STAGING_QUEUE_SECRET, masked: true },
  ]);
  // One failure in the audit log: a delete of an action that is not there.
  await sdk.actions.remove("no_such_action").catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
}

export async function startFixture(): Promise<ConsoleFixture> {
  const dir = mkdtempSync(join(tmpdir(), "cxda-console-"));
  const auditLog = join(dir, "audit.jsonl");
  const emulator = await startTestEmulator(UNTHROTTLED);
  // A webhook receiver that accepts every event, so each audit line has a delivery status.
  const receiver: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  const sdk = createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: CLIENT_SECRET },
    auditLog,
    webhook: {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`,
      secret: WEBHOOK_SECRET,
    },
  });
  await applyExample(sdk);
  await makeDrift(sdk);
  const running = await startConsole({ sdk, auditLog, port: 0 });
  return {
    emulator,
    sdk,
    console: running,
    auditLog,
    dir,
    async close() {
      await running.close();
      await sdk.close();
      await emulator.close();
      await new Promise<void>((done) => receiver.close(() => done()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
];

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console messages of type error, and page errors, as text. */
  errors: string[];
  /** Every response body the page received, by URL (for the secret crawl). */
  bodies: Map<string, string>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile directory, one page at `viewport`, signed in through the login URL. */
export async function openBrowser(
  loginUrl: string,
  viewport = { width: 1280, height: 800 },
): Promise<BrowserSession> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "cxda-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const bodies = new Map<string, string>();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("response", async (res) => {
    try {
      if (res.status() < 300) bodies.set(res.url(), await res.text());
    } catch {
      // a redirect or an aborted response has no body
    }
  });
  await page.goto(loginUrl);
  return {
    browser: context.browser()!,
    context,
    page,
    errors,
    bodies,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
