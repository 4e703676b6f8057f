/**
 * The console in a real browser (the distribution's Chromium through playwright-core): the contact
 * center example applied to the in-process emulator, drift made on purpose, then what a person sees —
 * matrix colours, the differences, the graph, the audit filter, keyboard use, no console errors.
 * Screenshots of each view at 1280×800 and 390×844 go to test-output/console/ (not committed).
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserSession,
  type ConsoleFixture,
  hasChromium,
  openBrowser,
  SCREENSHOTS,
  startFixture,
} from "./fixture.js";

if (!hasChromium)
  console.log("skipped: the console's browser tests need /usr/bin/chromium (apt-get install -y chromium)");

const COLOURS = {
  same: "rgb(223, 243, 228)",
  value: "rgb(249, 201, 196)",
  masked: "rgb(246, 220, 162)",
  only: "rgb(207, 224, 247)",
};

describe.skipIf(!hasChromium)("cxda console in Chromium", () => {
  let f: ConsoleFixture;
  let b: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    f = await startFixture();
    b = await openBrowser(f.console.loginUrl);
    page = b.page;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await f?.close();
  });

  const go = async (hash: string) => {
    await page.goto(`${f.console.url}/${hash}`);
    await page.waitForSelector("main h1");
  };
  const cell = (action: string, env: string) =>
    page.locator(`tr[data-action="${action}"] td[data-env="${env}"]`);

  it("signs in through the login URL and drops the token from the address", async () => {
    expect(new URL(page.url()).search).toBe("");
    await page.waitForSelector("table.actions tbody tr");
    expect(await page.locator("table.actions tbody tr").count()).toBe(6);
  });

  it("shows the last deployment that touched each action, linked to that deployment", async () => {
    await go("#/actions");
    await page.waitForSelector("td[data-last-deployment] a");
    const last = await f.sdk.deployments.lastByAction();
    const idOf = async (name: string) => (await f.sdk.actions.resolve(name)).id;
    // normalize_phone's dev override was written after the apply: its last deployment is that write.
    for (const name of ["normalize_phone", "lead_score"]) {
      const id = await idOf(name);
      const href = await page
        .locator("table.actions tbody tr", { has: page.locator(`a:text-is("${name}")`) })
        .locator("td[data-last-deployment] a")
        .getAttribute("href");
      expect(href, name).toBe(`#/deployments/${last.get(id)!.deploymentId}`);
    }
    const deploymentOf = async (name: string) => last.get(await idOf(name))!.deploymentId;
    expect(await deploymentOf("normalize_phone")).not.toBe(await deploymentOf("lead_score"));
  });

  it("colours the matrix by drift against the chosen baseline, with a legend", async () => {
    await go("#/matrix?baseline=prod");
    await page.waitForSelector("table.matrix[data-baseline=prod]");
    expect(await cell("crm_lookup", "dev").getAttribute("data-kind")).toBe("value");
    expect(await cell("route_to_queue", "staging").getAttribute("data-kind")).toBe("masked");
    expect(await cell("normalize_phone", "dev").getAttribute("data-kind")).toBe("only");
    expect(await cell("lead_score", "staging").getAttribute("data-kind")).toBe("same");
    expect(await cell("lead_score", "prod").textContent()).toBe("baseline");
    const colour = (action: string, env: string) =>
      page.evaluate<string>(
        `getComputedStyle(document.querySelector('tr[data-action="${action}"] td[data-env="${env}"]')).backgroundColor`,
      );
    expect(await colour("crm_lookup", "dev")).toBe(COLOURS.value);
    expect(await colour("route_to_queue", "staging")).toBe(COLOURS.masked);
    expect(await colour("normalize_phone", "dev")).toBe(COLOURS.only);
    expect(await colour("lead_score", "staging")).toBe(COLOURS.same);
    const legend = await page.locator("ul.legend").textContent();
    for (const words of [
      "baseline",
      "value differs",
      "masked value differs",
      "only in one side",
      "same as baseline",
    ])
      expect(legend).toContain(words);

    // Another baseline: only dev has DEBUG, so against dev staging lacks it.
    await page.selectOption("select[name=baseline]", "dev");
    await page.waitForSelector("table.matrix[data-baseline=dev]");
    expect(await cell("normalize_phone", "staging").getAttribute("data-kind")).toBe("only");
    expect(await cell("normalize_phone", "dev").textContent()).toBe("baseline");
    expect(new URL(page.url()).hash).toContain("baseline=dev");
  });

  it("shows a cell's differences: plain values as they are, masked ones as ***", async () => {
    await go("#/matrix?baseline=prod");
    await cell("crm_lookup", "dev").locator("button").click();
    const entries = page.locator("section.entries");
    await expect.poll(() => entries.locator("h2").textContent()).toBe("crm_lookup: prod → dev");
    const row = entries.locator("tr[data-kind=value_mismatch]");
    expect(await row.textContent()).toBe(
      "CRM_BASE_URLvalue differshttps://crm.example.comhttps://crm-dev.example.com",
    );
    await cell("route_to_queue", "staging").locator("button").click();
    await expect.poll(() => entries.locator("h2").textContent()).toBe("route_to_queue: prod → staging");
    expect(await entries.locator("tbody").textContent()).toBe("QUEUE_API_SECRETmasked value differs******");
    await page.screenshot({ path: `${SCREENSHOTS}/matrix-1280.png` });
  });

  it("draws the dependency graph with dagre: every action a node, every dependency an edge", async () => {
    await go("#/graph");
    await page.waitForSelector("svg.graph");
    const nodes = await page
      .locator("svg.graph g.node")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    expect(nodes.sort()).toEqual([
      "callback_scheduler",
      "crm_lookup",
      "lead_score",
      "normalize_phone",
      "route_to_queue",
      "wrapup_notify",
    ]);
    const edges = await page
      .locator("svg.graph path.edge")
      .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-from")}→${e.getAttribute("data-to")}`));
    expect(edges.sort()).toEqual([
      "callback_scheduler→wrapup_notify",
      "crm_lookup→lead_score",
      "lead_score→callback_scheduler",
      "lead_score→route_to_queue",
      "normalize_phone→crm_lookup",
      "normalize_phone→lead_score",
      "route_to_queue→wrapup_notify",
    ]);
    // Laid out left to right: a dependency sits left of what uses it.
    const x = (name: string) =>
      page.locator(`g.node[data-name="${name}"]`).evaluate((el) => el.getBoundingClientRect().x);
    expect(await x("normalize_phone")).toBeLessThan(await x("crm_lookup"));
    expect(await x("lead_score")).toBeLessThan(await x("wrapup_notify"));

    // Selecting crm_lookup highlights what depends on it, directly or not, and nothing else.
    await page.locator('g.node[data-name="crm_lookup"]').click();
    await page.waitForSelector('g.node-selected[data-name="crm_lookup"]');
    const dependents = await page
      .locator("svg.graph g.node-dependent")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    expect(dependents.sort()).toEqual([
      "callback_scheduler",
      "lead_score",
      "route_to_queue",
      "wrapup_notify",
    ]);
    expect(new URL(page.url()).hash).toContain("focus=crm_lookup");
    await page.screenshot({ path: `${SCREENSHOTS}/graph-1280.png` });
  });

  it("filters the audit log by outcome, operation and target, with request ids and webhook status", async () => {
    await go("#/audit");
    await page.waitForSelector("table.audit tbody tr");
    const total = await page.locator("table.audit tbody tr").count();
    expect(total).toBeGreaterThanOrEqual(3);
    await page.selectOption("select[name=outcome]", "failure");
    await expect.poll(() => page.locator("table.audit tbody tr").count()).toBe(1);
    expect(await page.locator("table.audit tbody tr").textContent()).toContain("no_such_action");
    expect(new URL(page.url()).hash).toContain("outcome=failure");

    await page.selectOption("select[name=outcome]", "");
    await page.selectOption("select[name=operation]", "overrides.apply");
    await expect.poll(() => page.locator("table.audit tbody tr").count()).toBe(2);
    await page.fill("input[name=target]", "route_to_queue");
    await expect.poll(() => page.locator("table.audit tbody tr").count()).toBe(1);
    const rows = await page.locator("table.audit tbody tr").allTextContents();
    for (const row of rows) {
      expect(row).toContain("overrides.apply");
      expect(row).toContain("route_to_queue");
      expect(row).toContain("delivered (1 attempt)");
      expect(row).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
    // Time: nothing is older than a day here, nothing is in the future.
    await page.selectOption("select[name=since]", "24h");
    await expect.poll(() => page.locator("table.audit tbody tr").count()).toBe(1);
    await go("#/audit?since=2999-01-01T00:00:00Z");
    await page.waitForSelector("table.audit");
    await expect.poll(() => page.locator("table.audit tbody tr").count()).toBe(0);
  });

  it("shows an action: numbered script, masked credentials, variables and effective values per environment", async () => {
    await go("#/action/crm_lookup");
    expect(await page.locator("table.headers").textContent()).toMatch(
      /Authorization\*\*\*\s*credential, masked/,
    );
    const apiKey = page.locator("table.variables tr", { hasText: "apiKey" });
    expect(await apiKey.textContent()).toMatch(/encrypted.*k_.*hmac-sha256:/);
    const url = (env: string) => page.locator(`tr[data-variable=CRM_BASE_URL] td[data-env=${env}]`);
    expect(await url("staging").getAttribute("data-source")).toBe("override");
    expect(await url("staging").textContent()).toContain("https://crm-staging.example.com");
    expect(await page.locator("tr[data-variable=apiKey] td[data-env=prod]").textContent()).toContain("***");
    await go("#/action/normalize_phone");
    const lines = await page.locator("table.code td.ln").allTextContents();
    expect(lines.slice(0, 3)).toEqual(["1", "2", "3"]);
    expect(await page.locator("table.code").textContent()).toContain("function main");
    await page.screenshot({ path: `${SCREENSHOTS}/action-1280.png`, fullPage: true });
  });

  it("is usable from the keyboard: views by number, / to search, Tab and Enter, arrows in the matrix", async () => {
    await go("#/actions");
    await page.locator("main").focus();
    await page.keyboard.press("2");
    await page.waitForSelector("table.matrix");
    expect(new URL(page.url()).hash).toBe("#/matrix");
    await page.keyboard.press("/");
    expect(await page.evaluate<string | null>('document.activeElement?.getAttribute("type")')).toBe("search");
    await page.keyboard.type("crm");
    await expect.poll(() => page.locator("table.matrix tbody tr").count()).toBe(1);
    await page.keyboard.press("Tab"); // the action's link
    await page.keyboard.press("Tab"); // its first cell (dev is the baseline: staging)
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.locator("section.entries h2").textContent())
      .toBe("crm_lookup: dev → staging");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("section.entries h2").textContent()).toBe("crm_lookup: dev → prod");
    await page.keyboard.press("3");
    await page.waitForSelector("svg.graph");
    await page.locator('g.node[data-name="lead_score"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector('g.node-selected[data-name="lead_score"]');
    await page.keyboard.press("4");
    await page.waitForSelector("table.audit");
    expect(new URL(page.url()).hash).toBe("#/audit");
  });

  it("is readable at 390×844: no view scrolls sideways as a whole", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [name, hash] of [
        ["actions", "#/actions"],
        ["action", "#/action/crm_lookup"],
        ["matrix", "#/matrix?baseline=prod&cell=route_to_queue@staging"],
        ["graph", "#/graph?focus=lead_score"],
        ["audit", "#/audit"],
      ] as const) {
        await go(hash);
        await page.waitForTimeout(100);
        const width = await page.evaluate<number>("document.documentElement.scrollWidth");
        expect(width, name).toBeLessThanOrEqual(390);
        await page.screenshot({ path: `${SCREENSHOTS}/${name}-390.png`, fullPage: true });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    for (const [name, hash] of [
      ["actions", "#/actions"],
      ["audit", "#/audit"],
    ] as const) {
      await go(hash);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-1280.png` });
    }
  });

  it("logged no console errors in any view", () => {
    expect(b.errors).toEqual([]);
  });
});
