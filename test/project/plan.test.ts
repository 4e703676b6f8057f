// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are literal ${…} text, not template literals
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { formatPlan, summaryLine } from "../../src/cli/ui/format-plan.js";
import type { DesiredAction, DesiredState } from "../../src/project/desired-state.js";
import { type LiveAction, type LiveState, normalizeLiveActions } from "../../src/project/live-state.js";
import { computePlan, liveDigest, type PlanChange, planHasChanges } from "../../src/project/plan.js";

const SCRIPT = "function main(context) { return context.input; }\n";
const plain = pc.createColors(false);

function want(name: string, extra: Partial<DesiredAction> = {}): DesiredAction {
  return {
    name,
    type: "SCRIPT",
    description: "",
    script: { language: "JavaScript", content: SCRIPT, file: `scripts/${name}.js` },
    request: null,
    dependencies: [],
    headers: {},
    secretHeaders: [],
    dateProcessing: null,
    ...extra,
  };
}

function have(name: string, extra: Partial<LiveAction> = {}): LiveAction {
  return {
    id: `id-${name}`,
    version: 3,
    locked: false,
    name,
    type: "SCRIPT",
    description: "",
    script: { language: "JavaScript", content: SCRIPT },
    request: null,
    dependencies: [],
    headers: {},
    dateProcessing: null,
    variables: [],
    overrides: {},
    ...extra,
  };
}

const desired = (...actions: DesiredAction[]): DesiredState => ({ apiVersion: "cxda/v1", actions });
const live = (...actions: LiveAction[]): LiveState => ({
  actions,
  read: { variables: true, overrides: true },
});
const brief = (changes: PlanChange[]) =>
  changes.map((c) => `${c.kind} ${c.action} ${c.resource}${c.env ? `@${c.env}` : ""}`);

const DATE = {
  sourceField: "call.endedAt",
  targetField: "callback.dueAt",
  sourceTimestamp: "2024-03-10T01:30:00-05:00",
  operation: "ADD_OFFSET" as const,
  offsetMinutes: 120,
  timezone: "America/New_York",
  precision: 0,
};

describe("computePlan", () => {
  const cases: {
    name: string;
    desired: DesiredState;
    live: LiveState;
    prune?: boolean;
    expected: string[];
  }[] = [
    {
      name: "a new action is created, with its variables and overrides as separate writes",
      desired: desired(
        want("alpha", {
          headers: { "X-Source": "cxda" },
          variables: [{ name: "limit", type: "integer", value: "5", encrypted: false }],
          overrides: { prod: [{ name: "URL", value: "https://x", masked: false, description: "" }], dev: [] },
        }),
      ),
      live: live(),
      expected: ["create alpha action", "create alpha variables", "create alpha overrides@prod"],
    },
    {
      name: "an identical action is a single no-op",
      desired: desired(want("alpha", { headers: { A: "1" }, dateProcessing: DATE })),
      live: live(have("alpha", { headers: { A: "1" }, dateProcessing: DATE })),
      expected: ["no-op alpha action"],
    },
    {
      name: "each differing resource is its own update",
      desired: desired(
        want("alpha", {
          description: "new",
          headers: { A: "2" },
          dateProcessing: { ...DATE, offsetMinutes: 60 },
          variables: [{ name: "limit", type: "integer", value: "6", encrypted: false }],
          overrides: { dev: [{ name: "URL", value: "b", masked: false, description: "" }] },
        }),
      ),
      live: live(
        have("alpha", {
          headers: { A: "1" },
          dateProcessing: DATE,
          variables: [{ name: "limit", type: "integer", value: "5", encrypted: false }],
          overrides: { dev: [{ name: "URL", value: "a", masked: false, description: "" }] },
        }),
      ),
      expected: [
        "update alpha action",
        "update alpha headers",
        "update alpha dateProcessing",
        "update alpha variables",
        "update alpha overrides@dev",
      ],
    },
    {
      name: "an action missing from the file is left alone without prune",
      desired: desired(want("alpha")),
      live: live(have("alpha"), have("legacy")),
      expected: ["no-op alpha action", "no-op legacy action"],
    },
    {
      name: "with prune it is deleted, dependents first",
      desired: desired(want("alpha")),
      live: live(
        have("alpha"),
        have("base_old"),
        have("mid_old", { dependencies: ["base_old"] }),
        have("top_old", { dependencies: ["mid_old"] }),
      ),
      prune: true,
      expected: [
        "no-op alpha action",
        "delete top_old action",
        "delete mid_old action",
        "delete base_old action",
      ],
    },
    {
      name: "creates follow dependency order, not file order",
      desired: desired(
        want("gamma", { dependencies: ["beta"] }),
        want("beta", { dependencies: ["alpha"] }),
        want("alpha"),
      ),
      live: live(),
      expected: ["create alpha action", "create beta action", "create gamma action"],
    },
    {
      name: "variables and overrides not managed by the file are not planned",
      desired: desired(want("alpha")),
      live: live(
        have("alpha", {
          variables: [{ name: "x", type: "string", value: "1", encrypted: false }],
          overrides: { prod: [{ name: "X", value: "1", masked: false, description: "" }] },
        }),
      ),
      expected: ["no-op alpha action"],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const plan = computePlan(c.desired, c.live, { prune: c.prune === true });
      expect(brief(plan.changes)).toEqual(c.expected);
      expect(plan.schemaVersion).toBe(1);
      expect(planHasChanges(plan)).toBe(c.expected.some((e) => !e.startsWith("no-op")));
    });
  }

  it("counts changes per kind in the summary line", () => {
    const plan = computePlan(
      desired(want("alpha"), want("beta", { description: "changed" })),
      live(have("beta"), have("gone")),
      { prune: true },
    );
    expect(plan.summary).toEqual({ create: 1, update: 1, delete: 1, noOp: 0 });
    expect(summaryLine(plan)).toBe("Plan: 1 to create, 1 to update, 1 to delete.");
  });

  it("never treats server-added fields as drift", () => {
    const resource = {
      id: "5f0c1b8e-0000-4000-8000-000000000001",
      name: "alpha",
      description: "",
      type: "SCRIPT",
      enabled: true,
      trigger: { type: "MANUAL" },
      script: { language: "JavaScript", content: SCRIPT },
      config: {
        headers: { A: "1" },
        dateProcessing: {
          ...DATE,
          computedValue: "2024-03-10T04:30:00-04:00",
          computedUtc: "2024-03-10T08:30:00Z",
        },
      },
      dependencies: [],
      locked: false,
      version: 17,
      createdTimestamp: 1_698_765_432_000,
      modifiedTimestamp: 1_798_765_432_000,
      etag: '"17"',
      variables: {
        actionId: "x",
        version: 4,
        variables: [
          {
            name: "apiKey",
            type: "string",
            value: null,
            encrypted: true,
            scope: "action",
            keyId: "k2",
            fingerprint: "hmac-sha256:abc",
          },
          { name: "limit", type: "integer", value: "5", encrypted: false, scope: "action" },
        ],
      },
      environments: [
        {
          environmentId: "prod",
          version: 9,
          variables: [
            { name: "TOKEN", value: "***", masked: true, description: "", fingerprint: "hmac-sha256:def" },
          ],
        },
      ],
    };
    const state = normalizeLiveActions([resource], { variables: true, overrides: true });
    const plan = computePlan(
      desired(
        want("alpha", {
          headers: { A: "1" },
          dateProcessing: DATE,
          variables: [
            { name: "limit", type: "integer", value: "5", encrypted: false },
            { name: "apiKey", type: "string", value: "s3cret-value", encrypted: true },
          ],
          overrides: { prod: [{ name: "TOKEN", value: "token-plaintext", masked: true, description: "" }] },
        }),
      ),
      state,
    );
    expect(brief(plan.changes)).toEqual(["no-op alpha action"]);
  });

  it("object variables compare as JSON, not as text", () => {
    const plan = computePlan(
      desired(
        want("alpha", {
          variables: [{ name: "w", type: "object", value: '{"a":1,"b":2}', encrypted: false }],
        }),
      ),
      live(
        have("alpha", {
          variables: [{ name: "w", type: "object", value: '{ "b": 2, "a": 1 }', encrypted: false }],
        }),
      ),
    );
    expect(brief(plan.changes)).toEqual(["no-op alpha action"]);
  });

  it("masks secrets in every diff and in the JSON, and rewrites them only when asked", () => {
    const d = desired(
      want("alpha", {
        headers: { Authorization: "Bearer tok-PLAINTEXT", "X-Key": "k-PLAINTEXT" },
        secretHeaders: ["X-Key"],
        variables: [
          { name: "apiKey", type: "string", value: "v-PLAINTEXT", encrypted: true },
          { name: "newKey", type: "string", value: "n-PLAINTEXT", encrypted: true },
        ],
        overrides: { prod: [{ name: "TOKEN", value: "o-PLAINTEXT", masked: true, description: "" }] },
      }),
    );
    const l = live(
      have("alpha", {
        headers: { Authorization: "Bearer old-PLAINTEXT", "X-Key": "old-k-PLAINTEXT" },
        variables: [{ name: "apiKey", type: "string", value: null, encrypted: true }],
        overrides: { prod: [{ name: "TOKEN", value: null, masked: true, description: "" }] },
      }),
    );
    const plan = computePlan(d, l);
    expect(brief(plan.changes)).toEqual(["update alpha headers", "update alpha variables"]);
    expect(plan.changes[1]!.diff.map((e) => e.path)).toEqual(["variables.newKey"]);
    const text = JSON.stringify(plan) + formatPlan(plan, plain);
    expect(text).not.toMatch(/PLAINTEXT/);
    expect(formatPlan(plan, plain)).toContain("~ headers.Authorization: *** → ***");

    const refreshed = computePlan(d, l, { refreshSecrets: true });
    expect(brief(refreshed.changes)).toEqual([
      "update alpha headers",
      "update alpha variables",
      "update alpha overrides@prod",
    ]);
    expect(JSON.stringify(refreshed)).not.toMatch(/PLAINTEXT/);
  });

  it("a secret whose encrypted flag changes is rewritten, its value still masked", () => {
    const plan = computePlan(
      desired(
        want("alpha", { variables: [{ name: "k", type: "string", value: "PLAINTEXT", encrypted: true }] }),
      ),
      live(
        have("alpha", { variables: [{ name: "k", type: "string", value: "PLAINTEXT", encrypted: false }] }),
      ),
    );
    expect(plan.changes[0]!.diff).toEqual([
      { path: "variables.k.encrypted", op: "change", before: false, after: true },
      { path: "variables.k.value", op: "change", before: "PLAINTEXT", after: "***", secret: true },
    ]);
  });

  it("plans the whole set when the live sub-resources were not read", () => {
    const state: LiveState = { actions: [have("alpha")], read: { variables: false, overrides: false } };
    const plan = computePlan(
      desired(
        want("alpha", {
          variables: [{ name: "x", type: "string", value: "1", encrypted: false }],
          overrides: { dev: [{ name: "X", value: "1", masked: false, description: "" }] },
        }),
      ),
      state,
    );
    expect(brief(plan.changes)).toEqual(["update alpha variables", "update alpha overrides@dev"]);
    expect(plan.changes[0]!.reason).toMatch(/not read/);
  });

  it("is pure: the same inputs give the same plan, and the live digest follows versions", () => {
    const d = desired(want("alpha"), want("beta", { dependencies: ["alpha"] }));
    const l = live(have("alpha", { description: "x" }));
    expect(computePlan(d, l)).toEqual(computePlan(d, l));
    expect(liveDigest(l)).toBe(liveDigest(live(have("alpha", { description: "x" }))));
    expect(liveDigest(l)).not.toBe(liveDigest(live(have("alpha", { description: "x", version: 4 }))));
  });

  it("renders a readable diff with the summary line", () => {
    const plan = computePlan(
      desired(want("alpha", { headers: { "X-Source": "cxda" } }), want("beta", { description: "new text" })),
      live(have("beta", { description: "old text" }), have("legacy")),
    );
    const text = formatPlan(plan, plain);
    expect(text).toContain("+ alpha create action");
    expect(text).toContain('+ headers.X-Source: "cxda"');
    expect(text).toContain('~ description: "old text" → "new text"');
    expect(text).toContain("= legacy: not in the file; left alone (--prune deletes it)");
    expect(text.trim().split("\n").at(-1)).toBe("Plan: 1 to create, 1 to update, 0 to delete.");
    const none = formatPlan(computePlan(desired(want("beta")), live(have("beta"))), plain);
    expect(none).toContain("No changes");
  });
});

describe("plain values from placeholders", () => {
  it("are printed resolved with their source; secrets stay ***", () => {
    const action = want("alpha", {
      description: "in eu-west-1",
      headers: { "X-Region": "eu-west-1", Authorization: "Bearer tok-0123456789" },
      secretHeaders: ["Authorization"],
      variables: [{ name: "region", type: "string", value: "eu-west-1", encrypted: false }],
      overrides: { dev: [{ name: "QUEUE", value: "q1", masked: false, description: "" }] },
      sources: {
        description: "${env:REGION}",
        "headers.X-Region": "${env:REGION}",
        "variables.region.value": "${env:REGION}",
        "overrides.dev.QUEUE.value": "${file:config/queue.txt}",
      },
    });
    const text = formatPlan(computePlan(desired(action), live()), plain);
    expect(text).toContain('description: "in eu-west-1" (from ${env:REGION})');
    expect(text).toContain('+ headers.X-Region: "eu-west-1" (from ${env:REGION})');
    expect(text).toContain("+ headers.Authorization: ***");
    expect(text).toContain('value: "eu-west-1" (from ${env:REGION})');
    expect(text).toContain('value: "q1" (from ${file:config/queue.txt})');
    const changed = computePlan(
      desired(action),
      live(have("alpha", { description: "old", headers: { "X-Region": "us-east-1", Authorization: "x" } })),
    );
    expect(formatPlan(changed, plain)).toContain(
      '~ headers.X-Region: "us-east-1" → "eu-west-1" (from ${env:REGION})',
    );
  });
});

describe("a changed script in the plan", () => {
  const OLD = "function main(context) {\n  const a = 1;\n  return context.input;\n}\n";
  const NEW = "function main(context) {\n  const a = 2;\n  return context.input;\n}\n// done\n";
  const plan = () =>
    computePlan(
      desired(want("alpha", { script: { language: "JavaScript", content: NEW, file: "scripts/alpha.js" } })),
      live(have("alpha", { script: { language: "JavaScript", content: OLD } })),
    );

  it("carries the unified line diff from the tenant's script to the file's under unifiedDiff", () => {
    const entry = plan().changes[0]!.diff.find((e) => e.path === "script")!;
    expect(entry.op).toBe("change");
    expect(entry.unifiedDiff).toBe(
      [
        "--- alpha (tenant)",
        "+++ scripts/alpha.js",
        "@@ -1,4 +1,5 @@",
        " function main(context) {",
        "-  const a = 1;",
        "+  const a = 2;",
        "   return context.input;",
        " }",
        "+// done",
        "",
      ].join("\n"),
    );
  });

  it("prints the diff, not two hashes; coloured per line only when colour is on", () => {
    const text = formatPlan(plan(), plain);
    expect(text).toContain("~ script: +2 −1 lines");
    expect(text).toContain("        -  const a = 1;\n        +  const a = 2;");
    expect(text).not.toContain("sha256");
    expect(text).not.toContain("\x1b[");
    const coloured = formatPlan(plan(), pc.createColors(true));
    expect(coloured).toContain(pc.createColors(true).red("-  const a = 1;"));
    expect(coloured).toContain(pc.createColors(true).green("+  const a = 2;"));
    expect(coloured).toContain(pc.createColors(true).cyan("@@ -1,4 +1,5 @@"));
  });

  it("an unchanged script has no script entry", () => {
    const same = computePlan(desired(want("alpha")), live(have("alpha")));
    expect(same.changes[0]!.kind).toBe("no-op");
  });
});
