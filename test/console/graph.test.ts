/**
 * The dependency graph on tenants the emulator would not hold: a dependency cycle (the API refuses to
 * create one, yet a tenant may have one from elsewhere) and 1 000 actions. The console reads them from
 * a stand-in SDK whose snapshot is made here; the browser is the real one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningConsole, startConsole } from "../../src/console/server.js";
import type { CxdaSdk, Snapshot } from "../../src/index.js";
import { type BrowserSession, hasChromium, openBrowser, SCREENSHOTS } from "./fixture.js";

if (!hasChromium)
  console.log("skipped: the console's browser tests need /usr/bin/chromium (apt-get install -y chromium)");

const name = (i: number) => `svc_${String(i).padStart(4, "0")}`;

/** svc_i depends on svc_⌊i/2⌋ (a binary tree of 1 000), plus cyc_a → cyc_b → cyc_c → cyc_a. */
function tenant(): Snapshot {
  const action = (n: string, dependencies: string[]) => ({
    action: {
      id: `id-${n}`,
      name: n,
      type: "SCRIPT",
      version: 1,
      dependencies,
      script: { language: "JavaScript", content: "function main(c) { return c.input; }" },
    },
    variables: { version: 1, variables: [] },
    overrides: { dev: { version: 1, variables: [] }, prod: { version: 1, variables: [] } },
  });
  const actions = Array.from({ length: 1000 }, (_, i) =>
    action(name(i), i === 0 ? [] : [name(Math.floor(i / 2))]),
  );
  actions.push(action("cyc_a", ["cyc_b"]), action("cyc_b", ["cyc_c"]), action("cyc_c", ["cyc_a", name(7)]));
  return {
    revision: 1,
    environments: [
      { id: "dev", name: "dev", order: 0, buildOnChange: false },
      { id: "prod", name: "prod", order: 1, buildOnChange: false },
    ],
    actions,
    globals: { version: 1, variables: [] },
  };
}

describe.skipIf(!hasChromium)("cxda console: the dependency graph at 1 000 actions and with a cycle", () => {
  let running: RunningConsole;
  let b: BrowserSession;
  const snapshot = tenant();
  const sdk = {
    snapshot: {
      available: async () => true,
      capabilities: async () => ["snapshot"],
      read: async () => snapshot,
    },
    deployments: { available: async () => false },
  } as unknown as CxdaSdk;

  beforeAll(async () => {
    running = await startConsole({ sdk, auditLog: "none.jsonl", port: 0 });
    b = await openBrowser(running.loginUrl);
    await b.page.waitForSelector("table.actions");
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await running?.close();
  });

  const nodes = () =>
    b.page
      .locator("svg.graph g.node")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")).sort());

  it("asks for a search or a focus instead of drawing 1 003 actions, and suggests the most used", async () => {
    const { page } = b;
    await page.goto(`${running.url}/#/graph`);
    await page.waitForSelector("ul.suggestions");
    expect(await page.locator("svg.graph").count()).toBe(0);
    expect(await page.locator("p.count").textContent()).toContain("1003 actions: search or pick one");
    // The most used first: svc_0007 has three direct users (svc_0014, svc_0015 and cyc_c), the others two at most.
    expect(await page.locator("ul.suggestions button").first().textContent()).toBe("svc_0007");
  });

  it("draws a search's matches with their neighbours, from the keyboard", async () => {
    const { page } = b;
    await page.locator("main").focus();
    await page.keyboard.press("/");
    await page.keyboard.type("svc_0042");
    await page.waitForSelector("svg.graph");
    expect(await nodes()).toEqual(["svc_0021", "svc_0042", "svc_0084", "svc_0085"]);
    // Tab to a node and Enter focuses it: what uses it, however far, is highlighted.
    await page.locator('g.node[data-name="svc_0084"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector('g.node-selected[data-name="svc_0084"]');
    const dependents = await page
      .locator("svg.graph g.node-dependent")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")).sort());
    expect(dependents).toEqual([
      "svc_0168",
      "svc_0169",
      "svc_0336",
      "svc_0337",
      "svc_0338",
      "svc_0339",
      "svc_0672",
      "svc_0673",
      "svc_0674",
      "svc_0675",
      "svc_0676",
      "svc_0677",
      "svc_0678",
      "svc_0679",
    ]);
    expect(await page.locator("p.count").textContent()).toContain("14 action(s) use it");
  });

  it("caps a neighbourhood at 300 actions and says so", async () => {
    const { page } = b;
    await page.goto(`${running.url}/#/graph?focus=svc_0001&depth=1`);
    await page.waitForSelector("svg.graph", { timeout: 20_000 });
    expect(await page.locator("svg.graph g.node").count()).toBe(300);
    expect(await page.locator("p.count").textContent()).toContain("(the first 300)");
  });

  it("marks every action and edge of a cycle, and names the cycle", async () => {
    const { page } = b;
    await page.goto(`${running.url}/#/graph?focus=cyc_a`);
    await page.waitForSelector("svg.graph");
    const inCycle = await page
      .locator("svg.graph g.node-cycle")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")).sort());
    expect(inCycle).toEqual(["cyc_a", "cyc_b", "cyc_c"]);
    const cycleEdges = await page
      .locator("svg.graph path.edge-cycle")
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute("data-from")}→${e.getAttribute("data-to")}`).sort(),
      );
    expect(cycleEdges).toEqual(["cyc_a→cyc_c", "cyc_b→cyc_a", "cyc_c→cyc_b"]);
    // The edge from svc_0007 into the cycle is drawn, but is not part of it.
    expect(await page.locator('path.edge[data-from="svc_0007"][data-to="cyc_c"]').getAttribute("class")).toBe(
      "edge",
    );
    expect(await page.locator("p.error").textContent()).toContain("cyc_a → cyc_b → cyc_c → cyc_a");
    await page.screenshot({ path: `${SCREENSHOTS}/graph-cycle-1280.png` });
    await page.goto(`${running.url}/#/actions?q=cyc`);
    await page.waitForSelector("table.actions tbody tr");
    expect(await page.locator("table.actions .badge.cycle").count()).toBe(3);
  });

  it("logged no console errors", () => {
    expect(b.errors).toEqual([]);
  });
});
