import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateActionPayload } from "../../src/domain/action-rules.js";
import {
  type Action,
  ActionInputSchema,
  ActionResourceSchema,
  editableFieldsOf,
} from "../../src/domain/action-schema.js";

const SPEC_EXAMPLE = {
  id: "5a4f3f5e-8d39-4c1e-9a57-3e2f0c7f4b11",
  name: "lead_enrichment_v2",
  description: "…",
  type: "SCRIPT",
  enabled: true,
  trigger: { type: "MANUAL" },
  script: { language: "JavaScript", content: "function main(context) { return context.input; }" },
  config: {
    request: { method: "GET", urlTemplate: "https://api.example.com/x" },
    headers: { "X-Source": "cxda" },
    dateProcessing: null,
  },
  dependencies: ["base_transform"],
  locked: false,
  version: 1,
  createdTimestamp: 1698765432000,
  modifiedTimestamp: 1698765432000,
};

describe("ActionResourceSchema", () => {
  it("parses an action resource", () => {
    const action: Action = ActionResourceSchema.parse(SPEC_EXAMPLE);
    expect(action.name).toBe("lead_enrichment_v2");
    expect(action.config.headers).toEqual({ "X-Source": "cxda" });
  });

  it("tolerates fields a newer server adds, and drops them", () => {
    const action = ActionResourceSchema.parse({ ...SPEC_EXAMPLE, owner: "someone" });
    expect("owner" in action).toBe(false);
  });

  it("refuses a resource without server fields", () => {
    const { id: _id, version: _version, ...rest } = SPEC_EXAMPLE;
    const result = ActionResourceSchema.safeParse(rest);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["id", "version"]),
    );
  });
});

describe("ActionInputSchema", () => {
  it("refuses server fields and unknown keys (strict)", () => {
    const { name, type, script } = SPEC_EXAMPLE;
    expect(ActionInputSchema.safeParse({ name, type, script }).success).toBe(true);
    expect(ActionInputSchema.safeParse({ name, type, script, id: "x" }).success).toBe(false);
    expect(ActionInputSchema.safeParse({ name, type, script, extra: 1 }).success).toBe(false);
  });

  it("exports as JSON Schema with descriptions", () => {
    const schema = z.toJSONSchema(ActionInputSchema) as {
      properties: Record<string, { description?: string; pattern?: string }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(expect.arrayContaining(["name", "type"]));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.name!.pattern).toBe("^[A-Za-z0-9_-]{3,64}$");
    for (const key of ["name", "description", "dependencies", "version"]) {
      expect(schema.properties[key]!.description, key).toBeTruthy();
    }
    expect(() => z.toJSONSchema(ActionResourceSchema)).not.toThrow();
  });
});

describe("editableFieldsOf", () => {
  it("gives the editable view of a resource, which validates", () => {
    const action = ActionResourceSchema.parse(SPEC_EXAMPLE);
    const input = editableFieldsOf(action);
    expect(input).not.toHaveProperty("id");
    expect(input).not.toHaveProperty("version");
    expect(input).not.toHaveProperty("createdTimestamp");
    expect(input.dependencies).toEqual(["base_transform"]);
    expect(validateActionPayload(input)).toEqual({ ok: true, issues: [] });
    expect(ActionInputSchema.parse(input)).toEqual(input);
  });

  it("copies, so editing the view leaves the resource alone", () => {
    const action = ActionResourceSchema.parse(SPEC_EXAMPLE);
    const input = editableFieldsOf(action);
    input.dependencies!.push("other_action");
    (input.config!.headers as Record<string, string>)["X-New"] = "1";
    expect(action.dependencies).toEqual(["base_transform"]);
    expect(action.config.headers).toEqual({ "X-Source": "cxda" });
  });
});
