/**
 * No secret reaches the browser, and a view costs the server at most 3 requests. The crawl visits
 * every view (each action, each baseline and cell, each graph focus, the audit log, each deployment with
 * its diffs and rollback plan) in Chromium and
 * searches everything the console served — HTML, scripts, styles, API answers — and every rendered
 * page for the secrets of the chaos suite's R6 list as this fixture uses them: the client secret, every
 * access token the emulator issued, the encrypted variable's value, the masked overrides' values, the
 * credential header's value, the webhook secret, and the console's own session id.
 */
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole } from "../../src/console/server.js";
import { responseObservers } from "../../src/emulator/response-observers.js";
import { createClient } from "../../src/index.js";
import { updateAction } from "../../src/workflows/update-action.js";
import { api } from "../emulator/helpers.js";
import {
  type BrowserSession,
  CLIENT_SECRET,
  type ConsoleFixture,
  hasChromium,
  openBrowser,
  SCREENSHOTS,
  SECRETS,
  startFixture,
  WEBHOOK_SECRET,
} from "./fixture.js";

if (!hasChromium)
  console.log("skipped: the console's browser tests need /usr/bin/chromium (apt-get install -y chromium)");

const issuedTokens = new Set<string>();
const observeTokens = (exchange: { path: string; status: number; body: string | undefined }) => {
  if (exchange.path !== "/oauth2/token" || exchange.status !== 200 || exchange.body === undefined) return;
  const token = (JSON.parse(exchange.body) as { access_token?: string }).access_token;
  if (token) issuedTokens.add(token);
};

/** A secret as it could show up in a page: as is, URL-encoded, base64, JSON-escaped. */
function forms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString("base64").replace(/=+$/, ""),
    JSON.stringify(secret).slice(1, -1),
  ];
}

describe.skipIf(!hasChromium)("cxda console: no secret reaches the browser", () => {
  let f: ConsoleFixture;
  let b: BrowserSession;

  beforeAll(async () => {
    responseObservers.add(observeTokens);
    mkdirSync(SCREENSHOTS, { recursive: true });
    f = await startFixture();
    // A deployment that edits the action with the credential header, so its diff is crawled too.
    await updateAction(f.sdk.context, "crm_lookup", {
      description: "Looks the caller up in the CRM (edited).",
    });
    b = await openBrowser(f.console.loginUrl);
  }, 60_000);
  afterAll(async () => {
    responseObservers.delete(observeTokens);
    await b?.close();
    await f?.close();
  });

  it("finds none of them in anything served or rendered, over every view", async () => {
    const { page } = b;
    const rendered = new Map<string, string>();
    const visit = async (hash: string, then?: () => Promise<void>) => {
      await page.goto(`${f.console.url}/${hash}`);
      await page.waitForSelector("main h1");
      await page.waitForLoadState("networkidle");
      await then?.();
      rendered.set(hash, await page.content());
    };
    await visit("#/actions");
    await page.waitForSelector("table.actions tbody tr");
    const model = JSON.parse(b.bodies.get(`${f.console.url}/api/model`) ?? "null") as {
      actions: { name: string }[];
      environments: { id: string }[];
    };
    expect(model.actions.length).toBe(6);
    for (const a of model.actions) await visit(`#/action/${a.name}`);
    for (const baseline of model.environments)
      for (const target of model.environments)
        for (const a of model.actions)
          if (baseline.id !== target.id)
            await visit(`#/matrix?baseline=${baseline.id}&cell=${a.name}@${target.id}`);
    await visit("#/graph");
    for (const a of model.actions) await visit(`#/graph?focus=${a.name}`);
    await visit("#/audit");
    await visit("#/audit?outcome=failure");
    await visit("#/deployments");
    const ids = await page
      .locator("ol.timeline li")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (const id of ids)
      await visit(`#/deployments/${id}`, async () => {
        await page.waitForSelector("table.resources");
        for (const button of await page.locator("button.show-diff").all()) await button.click();
        await expect.poll(() => page.locator("button.show-diff").count()).toBe(0);
        await page.locator("button", { hasText: "Roll back…" }).click();
        await page.waitForSelector('[role="dialog"]');
        await page.waitForLoadState("networkidle");
      });
    expect(
      Object.values(Object.fromEntries(rendered)).some((html) => html.includes("crm_lookup@1/config.json")),
    ).toBe(true);

    const cookies = await b.context.cookies();
    const session = cookies.find((c) => c.name.startsWith("cxda_console_"));
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    // The session id never shows in a page: only the browser's cookie jar holds it.
    const secrets = [
      CLIENT_SECRET,
      ...issuedTokens,
      SECRETS.CRM_API_KEY,
      SECRETS.CRM_API_TOKEN,
      `Bearer ${SECRETS.CRM_API_TOKEN}`,
      SECRETS.QUEUE_API_SECRET,
      SECRETS.STAGING_QUEUE_SECRET,
      WEBHOOK_SECRET,
      WEBHOOK_SECRET.slice("whsec_".length),
      session!.value,
    ];
    expect(issuedTokens.size).toBeGreaterThan(0);
    const documents = [
      ...[...b.bodies].map(([url, body]) => [`served ${url}`, body] as const),
      ...[...rendered].map(([hash, html]) => [`rendered ${hash}`, html] as const),
    ];
    // Everything the app can load: the page, its modules and styles, the vendored libraries, the API.
    const served = [...b.bodies.keys()].map((u) => new URL(u).pathname);
    for (const path of [
      "/",
      "/app/main.js",
      "/app/style.css",
      "/vendor/preact.js",
      "/vendor/dagre.js",
      "/api/model",
      "/api/last-deployments",
      "/api/audit",
    ])
      expect(served).toContain(path);
    expect(rendered.size).toBe(1 + 6 + 36 + 1 + 6 + 2 + 1 + ids.length);
    const found: string[] = [];
    for (const [where, text] of documents)
      for (const secret of secrets)
        for (const form of forms(secret))
          if (text.includes(form)) found.push(`${where}: ${secret.slice(0, 6)}…`);
    expect(found).toEqual([]);
    // The masked things are there, as masks.
    expect(rendered.get("#/action/crm_lookup")).toContain("credential, masked");
    expect(rendered.get("#/matrix?baseline=prod&cell=route_to_queue@staging")).toContain("***");
    expect(b.errors).toEqual([]);
  }, 120_000);

  it("signs in at start, then a view load costs the server one request: the snapshot", async () => {
    const seq = async () => {
      const log = await api(f.emulator, "GET", "/_emulator/requests");
      return log.body.requests as { seq: number; method: string; path: string }[];
    };
    const since = async (from: number) =>
      (await seq()).filter((r) => r.seq > from).map((r) => `${r.method} ${r.path}`);
    // A console with a client of its own: its start pays for discovery, the token and the capabilities.
    const sdk = createClient({
      baseUrl: f.emulator.url,
      auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: CLIENT_SECRET },
    });
    let last = (await seq()).at(-1)?.seq ?? 0;
    const fresh = await startConsole({ sdk, auditLog: f.auditLog, port: 0 });
    try {
      expect(await since(last)).toEqual([
        "GET /.well-known/openid-configuration",
        "POST /oauth2/token",
        "GET /api/v2",
      ]);
      last = (await seq()).at(-1)?.seq ?? 0;
      await b.page.goto(fresh.loginUrl);
      await b.page.waitForSelector("table.actions tbody tr");
      await b.page.waitForLoadState("networkidle");
      // The Actions list also reads the last deployment of each action: one request for all of them.
      expect((await since(last)).sort()).toEqual([
        "GET /api/v2/deployments/by-action",
        "GET /api/v2/snapshot",
      ]);
      for (const hash of ["#/matrix", "#/graph", "#/audit"]) {
        // Moving between views reads nothing again; loading one (a reload, a pasted link) reads the snapshot.
        last = (await seq()).at(-1)?.seq ?? 0;
        await b.page.goto(`${fresh.url}/${hash}`);
        await b.page.waitForSelector("main h1");
        expect(await since(last), hash).toEqual([]);
        await b.page.reload();
        await b.page.waitForSelector("main h1");
        await b.page.waitForLoadState("networkidle");
        const requests = await since(last);
        expect(requests.length, hash).toBeLessThanOrEqual(3);
        expect(requests, hash).toEqual(["GET /api/v2/snapshot"]);
      }
      // The Action view reads the action's revisions besides the tenant (the action by id, its revisions).
      await b.page.goto(`${fresh.url}/#/action/lead_score`);
      await b.page.waitForSelector("table.revisions tbody tr");
      last = (await seq()).at(-1)?.seq ?? 0;
      await b.page.reload();
      await b.page.waitForSelector("table.revisions tbody tr");
      await b.page.waitForLoadState("networkidle");
      const actionLoad = await since(last);
      expect(actionLoad.length).toBeLessThanOrEqual(3);
      expect(actionLoad.filter((r) => r.endsWith("/revisions"))).toHaveLength(1);
      expect(actionLoad).toContain("GET /api/v2/snapshot");
      // The Deployments view reads the timeline besides the tenant.
      await b.page.goto(`${fresh.url}/#/deployments`);
      await b.page.waitForSelector("ol.timeline li");
      last = (await seq()).at(-1)?.seq ?? 0;
      await b.page.reload();
      await b.page.waitForSelector("ol.timeline li");
      await b.page.waitForLoadState("networkidle");
      expect((await since(last)).sort()).toEqual(["GET /api/v2/deployments", "GET /api/v2/snapshot"]);
    } finally {
      await fresh.close();
      await sdk.close();
    }
  });
});
