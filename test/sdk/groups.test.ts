/**
 * The SDK object grouped by resource: every workflow is reachable under its group, the resource's own
 * methods stay reachable beside the workflows, every deprecated flat name is the same function as its
 * grouped name, and docs/sdk.md lists exactly that mapping.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type CxdaSdk, createClient } from "../../src/index.js";
import { FLAT_TO_GROUPED, FLAT_WORKFLOWS, WORKFLOW_GROUPS } from "../../src/sdk/workflows.js";
import { type Emulator, UNTHROTTLED, useTestEmulator } from "../emulator/helpers.js";

let emulator: Emulator;
useTestEmulator(UNTHROTTLED, (running) => {
  emulator = running.emulator;
});

const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;

function at(sdk: object, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], sdk);
}

describe("the SDK's groups", () => {
  it("maps every deprecated flat name to a grouped name that is the same workflow (or the same resource call)", () => {
    expect(Object.keys(FLAT_TO_GROUPED).sort()).toEqual(Object.keys(FLAT_WORKFLOWS).sort());
    for (const [flat, grouped] of Object.entries(FLAT_TO_GROUPED)) {
      const [group, name] = grouped.split(".") as [keyof typeof WORKFLOW_GROUPS, string];
      const workflows = WORKFLOW_GROUPS[group] as Record<string, unknown>;
      if (name in workflows)
        expect(workflows[name], `${flat} → ${grouped}`).toBe(
          FLAT_WORKFLOWS[flat as keyof typeof FLAT_WORKFLOWS],
        );
      // The two that map to the actions resource itself are checked against the emulator below.
      else
        expect([`${flat} → ${grouped}`]).toContain(
          flat === "listActions" ? "listActions → actions.listAll" : "getAction → actions.resolve",
        );
    }
  });

  it("docs/sdk.md lists every flat name with its grouped replacement", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "../../docs/sdk.md"), "utf8");
    for (const [flat, grouped] of Object.entries(FLAT_TO_GROUPED))
      expect(doc).toContain(`| \`cxda.${flat}(…)\` | \`cxda.${grouped}(…)\` |`);
  });

  it("drives every group against the emulator; flat names and resource methods still work", async () => {
    const cxda: CxdaSdk = createClient({ baseUrl: emulator.url, auth });
    try {
      for (const [group, workflows] of Object.entries(WORKFLOW_GROUPS))
        for (const name of Object.keys(workflows))
          expect(typeof at(cxda, `${group}.${name}`)).toBe("function");

      const { action } = await cxda.actions.add({
        name: "grouped",
        type: "SCRIPT",
        script: { language: "JavaScript", content: "function main(c) { return c.variables; }" },
      });
      // The resource's own methods beside the workflows.
      expect((await cxda.actions.get(action.id)).body.name).toBe("grouped");
      expect((await cxda.actions.resolve("grouped")).id).toBe(action.id);
      expect((await cxda.getAction("grouped")).id).toBe(action.id);
      expect((await cxda.actions.listAll({ nameContains: "group" })).map((a) => a.name)).toEqual(
        (await cxda.listActions({ nameContains: "group" })).map((a) => a.name),
      );

      await cxda.headers.set("grouped", { "X-Source": "cxda" });
      expect((await cxda.headers.get("grouped")).headers).toEqual({ "X-Source": "cxda" });

      await cxda.variables.register("grouped", [{ name: "REGION", type: "string", value: "eu" }]);
      await cxda.variables.upsert("grouped", [{ name: "TIER", type: "string", value: "gold" }]);
      expect((await cxda.variables.get("grouped")).variables.map((v) => v.name)).toEqual(["REGION", "TIER"]);
      // The plain resource call is on the client in the context.
      const raw = await cxda.context.client.variables.get(action.id);
      expect(raw).toMatchObject({ status: 200, version: 3 });

      const envs = await cxda.environments.list();
      const prod = envs.at(-1)!.id;
      await cxda.overrides.apply("grouped", prod, [{ name: "REGION", value: "us" }]);
      const resolved = await cxda.variables.resolve("grouped", prod);
      expect(resolved.variables.map((v) => `${v.name}=${v.value}@${v.source}`)).toEqual([
        "REGION=us@override",
        "TIER=gold@action",
      ]);
      expect((await cxda.overrides.diff(envs[0]!.id, prod, "grouped")).summary.count).toBe(1);

      const check = await cxda.keys.rotationCheck("grouped");
      expect(check.clean).toBe(true);
      expect((await cxda.keys.list()).body.activeKeyId).toBe(check.activeKeyId);
      expect(cxda.variables.metrics()).toMatchObject({ operations: 2, successes: 2 });

      await cxda.actions.remove("grouped");
      expect(await cxda.actions.findByName("grouped")).toBeUndefined();
    } finally {
      await cxda.close();
    }
  });
});
