/**
 * The Deployments view in Chromium: over a stand-in SDK (an action's diff with a credential header, a
 * rollback with a conflict) and over the emulator (the example applied, drift made, an action edited,
 * then a deployment rolled back from the browser after its plan was shown).
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningConsole, startConsole } from "../../src/console/server.js";
import type { CxdaSdk, Snapshot } from "../../src/index.js";
import { updateAction } from "../../src/workflows/update-action.js";
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

const TOKEN_IN_HEADER = "Bearer live-crm-token-Qa81Zx02";

const snapshot: Snapshot = {
  revision: 3,
  environments: [{ id: "dev", name: "dev", order: 0, buildOnChange: false }],
  actions: [
    {
      action: { id: "a1", name: "crm_lookup", type: "SCRIPT", version: 2, dependencies: [] },
      variables: { version: 1, variables: [] },
      overrides: { dev: { version: 1, variables: [] } },
    },
  ],
  globals: { version: 1, variables: [] },
};

const deployments = [
  {
    id: "dep-2",
    revision: 3,
    createdTimestamp: "2026-12-03T10:00:00.000Z",
    clientId: "cxda-demo",
    description: "apply",
    counts: { created: 0, updated: 2, deleted: 0 },
  },
  {
    id: "dep-1",
    revision: 2,
    createdTimestamp: "2026-12-03T09:00:00.000Z",
    clientId: "cxda-demo",
    description: "first apply",
    counts: { created: 1, updated: 0, deleted: 0 },
  },
];
const resources = [
  {
    kind: "action",
    actionId: "a1",
    name: "crm_lookup",
    environmentId: null,
    beforeVersion: 1,
    afterVersion: 2,
  },
  {
    kind: "overrides",
    actionId: "a1",
    name: "crm_lookup",
    environmentId: "dev",
    beforeVersion: 1,
    afterVersion: 2,
  },
];
const rollbacks: { id: string; force: boolean }[] = [];

const sdk = {
  snapshot: {
    available: async () => true,
    capabilities: async () => ["snapshot", "deployments", "revisions"],
    read: async () => snapshot,
  },
  deployments: {
    available: async () => true,
    list: async () => deployments,
    get: async (id: string) => ({ ...deployments.find((d) => d.id === id)!, resources }),
    lastByAction: async () =>
      new Map([
        [
          "a1",
          {
            actionId: "a1",
            name: "crm_lookup",
            deploymentId: deployments[0]!.id,
            createdTimestamp: 0,
            clientId: null,
          },
        ],
      ]),
    planRollback: async (id: string) => ({
      deployment: { ...deployments.find((d) => d.id === id)!, resources },
      steps: [
        { resource: resources[0], action: "restore", currentVersion: 2, conflict: false },
        { resource: resources[1], action: "restore", currentVersion: 3, conflict: true },
      ],
      conflicts: 1,
    }),
    rollback: async (id: string, options: { force?: boolean }) => {
      rollbacks.push({ id, force: options.force === true });
      const revision = deployments[0]!.revision + 1;
      deployments.unshift({
        id: `dep-${revision}`,
        revision,
        createdTimestamp: "2026-12-03T11:00:00.000Z",
        clientId: "cxda-demo",
        description: `rollback of ${id}`,
        counts: { created: 0, updated: 2, deleted: 0 },
      });
      return {
        deploymentId: id,
        rollback: { id: "cs-9", revision, deploymentId: `dep-${revision}` },
        force: true,
        actions: ["crm_lookup"],
      };
    },
  },
  revisions: {
    diff: async (_ref: string, from: number, to: number) => ({
      action: { id: "a1", name: "crm_lookup" },
      from,
      to,
      unifiedDiff: [
        "--- crm_lookup@1/script",
        "+++ crm_lookup@2/script",
        "@@ -1,3 +1,3 @@",
        " function main(context) {",
        "-  return 1;",
        "+  return 2;",
        " }",
        "--- crm_lookup@1/config.json",
        "+++ crm_lookup@2/config.json",
        "@@ -3,3 +3,3 @@",
        '     "headers": {',
        '-      "Authorization": "***",',
        `+      "Authorization": "${TOKEN_IN_HEADER}",`,
        '       "X-Source": "cxda"',
        "",
      ].join("\n"),
    }),
  },
} as unknown as CxdaSdk;

describe.skipIf(!hasChromium)("cxda console: deployments", () => {
  let running: RunningConsole;
  let b: BrowserSession;

  beforeAll(async () => {
    running = await startConsole({ sdk, auditLog: "none.jsonl", port: 0 });
    b = await openBrowser(running.loginUrl);
    await b.page.waitForSelector("table.actions");
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await running?.close();
  });

  it("shows the timeline, a deployment's resources and an action's diff, credential values masked", async () => {
    const { page } = b;
    await page.keyboard.press("5");
    await page.waitForSelector("ol.timeline li");
    expect(await page.locator("ol.timeline li").count()).toBe(2);
    expect(await page.locator("ol.timeline li").first().textContent()).toContain("+0 ~2 −0");
    await page.locator('ol.timeline li[data-id="dep-2"] a').click();
    await page.waitForSelector("table.resources tbody tr");
    expect(await page.locator("table.resources tbody").textContent()).toContain("crm_lookup action");
    expect(await page.locator("table.resources tbody").textContent()).toContain(
      "crm_lookup overrides (dev)v1 → v2",
    );
    await page.locator("button.show-diff").click();
    const diff = page.locator("pre.unified-diff");
    await diff.waitFor();
    const text = (await diff.textContent()) ?? "";
    expect(text).toContain("-  return 1;");
    expect(text).toContain("+  return 2;");
    expect(text).toContain('+      "Authorization": "***",');
    expect(text).not.toContain("live-crm-token");
    expect(new URL(page.url()).hash).toBe("#/deployments/dep-2");
  });

  it("rolls back only after showing the plan and a confirmation, conflicts forced when asked", async () => {
    const { page } = b;
    await page.locator("button", { hasText: "Roll back…" }).click();
    const dialog = page.locator('[role="dialog"]');
    await dialog.waitFor();
    expect(rollbacks).toEqual([]);
    expect(await dialog.locator("tr.conflict").textContent()).toContain("crm_lookup overrides (dev)");
    expect(await dialog.textContent()).toContain("1 resource(s) changed since this deployment");
    await page.screenshot({ path: `${SCREENSHOTS}/deployments-1280.png` });
    await dialog.locator("input[type=checkbox]").check();
    await dialog.locator("button", { hasText: "Confirm rollback" }).click();
    await expect
      .poll(() => page.locator("[role=status]").textContent())
      .toContain("Rolled back: deployment dep-4");
    expect(rollbacks).toEqual([{ id: "dep-2", force: true }]);
    await expect.poll(() => page.locator("ol.timeline li").count()).toBe(3);
    expect(b.errors).toEqual([]);
  });

  it("accepts the rollback only as JSON from its own origin", async () => {
    const cookies = await b.context.cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const post = (headers: Record<string, string>, body = '{"force":false}') =>
      request(`${running.url}/api/deployments/dep-1/rollback`, {
        method: "POST",
        headers: { cookie, ...headers },
        body,
      });
    const cross = await post({ origin: "http://evil.example", "content-type": "application/json" });
    expect(cross.statusCode).toBe(403);
    await cross.body.text();
    const form = await post(
      { origin: running.url, "content-type": "application/x-www-form-urlencoded" },
      "force=true",
    );
    expect(form.statusCode).toBe(415);
    await form.body.text();
    const noSession = await request(`${running.url}/api/deployments/dep-1/rollback`, {
      method: "POST",
      headers: { origin: running.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(noSession.statusCode).toBe(401);
    await noSession.body.text();
    expect(rollbacks).toHaveLength(1);
  });
});

describe.skipIf(!hasChromium)(
  "cxda console: deployments of the emulator, rolled back from the browser",
  () => {
    let f: ConsoleFixture;
    let b: BrowserSession;

    beforeAll(async () => {
      f = await startFixture();
      // One more deployment: normalize_phone's script edited (version 1 → 2).
      const current = await f.sdk.actions.resolve("normalize_phone");
      await updateAction(f.sdk.context, "normalize_phone", {
        script: `${current.script!.content}\n// normalised by the console test\n`,
      });
      b = await openBrowser(f.console.loginUrl);
      await b.page.waitForSelector("table.actions");
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await f?.close();
    });

    const open = async (hash: string) => {
      await b.page.goto(`${f.console.url}/${hash}`);
      await b.page.waitForSelector("main h1");
    };

    it("lists the deployments newest first and shows an edited action's diff", async () => {
      const { page } = b;
      await open("#/deployments");
      await page.waitForSelector("ol.timeline li");
      const ids = await page
        .locator("ol.timeline li")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      expect(ids.length).toBeGreaterThanOrEqual(3);
      await page.locator("ol.timeline li a").first().click();
      await page.waitForSelector("table.resources tbody tr");
      expect(await page.locator("table.resources tr[data-kind=action]").textContent()).toBe(
        "normalize_phone actionv1 → v2",
      );
      await page.locator("button.show-diff").click();
      const diff = (await page.locator("pre.unified-diff").textContent()) ?? "";
      expect(diff).toContain("+// normalised by the console test");
      expect(diff).toContain("--- normalize_phone@1/script");
    });

    it("lists an action's revisions and diffs any two", async () => {
      const { page } = b;
      await open("#/action/normalize_phone");
      await page.waitForSelector("table.revisions tbody tr");
      const versions = await page.locator("table.revisions tbody tr td:first-child").allTextContents();
      expect(versions).toEqual(["v2", "v1"]);
      await page.locator("button.show-revision-diff").click();
      const diff = (await page.locator("pre.unified-diff").textContent()) ?? "";
      expect(diff).toContain("--- normalize_phone@1/script");
      expect(diff).toContain("+// normalised by the console test");
    });

    it("rolls a deployment back after showing its plan: the matrix shows the old drift again", async () => {
      const { page } = b;
      await open("#/matrix?baseline=prod");
      await page.waitForSelector("table.matrix");
      const cell = page.locator('tr[data-action="route_to_queue"] td[data-env="staging"]');
      expect(await cell.getAttribute("data-kind")).toBe("masked");
      // The deployment that set staging's queue overrides (the fixture's drift).
      const list = (await (await page.request.get(`${f.console.url}/api/deployments`)).json()) as {
        deployments: { id: string }[];
      };
      let target: string | undefined;
      for (const d of list.deployments) {
        const detail = (await (
          await page.request.get(`${f.console.url}/api/deployments/${d.id}`)
        ).json()) as {
          resources: { kind: string; name?: string; environmentId?: string }[];
        };
        if (
          detail.resources.some(
            (r) => r.kind === "overrides" && r.name === "route_to_queue" && r.environmentId === "staging",
          )
        ) {
          target = d.id;
          break;
        }
      }
      expect(target).toBeDefined();
      await open(`#/deployments/${target}`);
      await page.locator("button", { hasText: "Roll back…" }).click();
      const dialog = page.locator('[role="dialog"]');
      await dialog.waitFor();
      expect(await dialog.locator("tbody").textContent()).toContain("route_to_queue overrides (staging)");
      await dialog.locator("button", { hasText: "Confirm rollback" }).click();
      await expect.poll(() => page.locator("[role=status]").textContent()).toContain("Rolled back");
      // The audit log has the rollback, from the console's SDK.
      // Read the tenant again: staging's queue prefix is stg- again, and it has no secret of its own.
      await open("#/matrix?baseline=prod&cell=route_to_queue@staging");
      await page.keyboard.press("r");
      await expect.poll(() => cell.getAttribute("data-kind")).toBe("value");
      const entries = (await page.locator("section.entries tbody").textContent()) ?? "";
      expect(entries).toContain("QUEUE_PREFIXvalue differsprod-stg-");
      expect(entries).toContain("QUEUE_API_SECRETonly in baseline***");
      expect(b.errors).toEqual([]);
    });
  },
);
