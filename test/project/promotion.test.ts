// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:…} placeholders are file content, not template literals
/** Promotion inside a project file: protected names, and the rewrite that keeps comments and placeholders. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { promoteInProjectFile, protectedOverrideNames } from "../../src/project/promotion.js";

const FILE = `apiVersion: cxda/v1
actions:
  crm_lookup:
    type: SCRIPT
    overrides:
      staging:
        # the staging CRM
        - name: API_KEY
          value: \${env:STAGING_CRM_KEY} # from the CI secret store
          masked: true
        - { name: REGION, value: eu-west-1 }
        - { name: DEBUG, value: "true", promote: false }
      prod:
        # production values
        - { name: REGION, value: us-east-1 }
        - { name: PROD_ONLY, value: stay }
  other:
    type: SCRIPT
`;

describe("protectedOverrideNames", () => {
  it("collects names marked promote: false in either environment, per action", () => {
    expect(protectedOverrideNames(FILE, ["staging", "prod"])).toEqual({ crm_lookup: ["DEBUG"] });
    expect(protectedOverrideNames(FILE, ["dev", "prod"])).toEqual({});
  });
});

describe("promoteInProjectFile", () => {
  it("upserts the source's items into the target, keeping comments and placeholders, skipping protected ones", () => {
    const result = promoteInProjectFile(FILE, { from: "staging", to: "prod" });
    expect(result.changes).toEqual([{ action: "crm_lookup", copied: ["API_KEY", "REGION"], removed: [] }]);
    expect(result.text).toContain("# production values");
    expect(result.text).toContain("# the staging CRM");
    expect(result.text).toContain("${env:STAGING_CRM_KEY} # from the CI secret store");
    const doc = parse(result.text) as {
      actions: { crm_lookup: { overrides: Record<string, { name: string; value: string }[]> } };
    };
    expect(doc.actions.crm_lookup.overrides.prod).toEqual([
      { name: "REGION", value: "eu-west-1" },
      { name: "PROD_ONLY", value: "stay" },
      { name: "API_KEY", value: "${env:STAGING_CRM_KEY}", masked: true },
    ]);
    // The source block is untouched.
    expect(doc.actions.crm_lookup.overrides.staging).toHaveLength(3);
  });

  it("prunes what only the target has, narrows with only, and is a no-op when in sync", () => {
    const pruned = promoteInProjectFile(FILE, { from: "staging", to: "prod", prune: true });
    expect(pruned.changes[0]!.removed).toEqual(["PROD_ONLY"]);
    const narrow = promoteInProjectFile(FILE, { from: "staging", to: "prod", only: ["REGION"] });
    expect(narrow.changes).toEqual([{ action: "crm_lookup", copied: ["REGION"], removed: [] }]);
    const again = promoteInProjectFile(pruned.text, { from: "staging", to: "prod", prune: true });
    expect(again.changes).toEqual([]);
    expect(again.text).toBe(pruned.text);
  });

  it("creates the target block when there is none, and reports unknown actions and --only names", () => {
    const result = promoteInProjectFile(FILE, {
      from: "staging",
      to: "dev",
      actions: ["crm_lookup", "nope"],
      only: ["REGION", "MISSING"],
    });
    expect(result.changes).toEqual([{ action: "crm_lookup", copied: ["REGION"], removed: [] }]);
    expect(
      (parse(result.text) as { actions: { crm_lookup: { overrides: { dev: unknown[] } } } }).actions
        .crm_lookup.overrides.dev,
    ).toEqual([{ name: "REGION", value: "eu-west-1" }]);
    expect(result.unknownActions).toEqual(["nope"]);
    expect(result.missing).toEqual(["MISSING"]);
  });
});
