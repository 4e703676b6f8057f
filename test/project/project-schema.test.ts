import { readFileSync } from "node:fs";
import { resolve } from "node:path";
// ajv is installed with fastify (not a direct dependency of cxda); tests only use it as an independent
// JSON Schema validator, the way yaml-language-server would read the published schema.
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ProjectFileSchema,
  projectJsonSchema,
  SCHEMA_FILE_NAME,
  SCHEMA_ID,
} from "../../src/project/project-schema.js";

const DIR = resolve(import.meta.dirname, "../../examples/contact-center");
type Doc = { actions: Record<string, Record<string, unknown>>; [key: string]: unknown };
const example = parse(readFileSync(resolve(DIR, "cxda.yaml"), "utf8")) as Doc;

function validator() {
  // strict: true is ajv's strictest setting (unknown keywords, union types, ignored keywords all throw).
  const ajv = new Ajv({ allErrors: true, strict: true });
  return ajv.compile(projectJsonSchema());
}

describe("the JSON Schema of cxda.yaml", () => {
  it("is committed next to the example as `cxda schema` generates it (biome formats the text)", () => {
    const committed = JSON.parse(readFileSync(resolve(DIR, SCHEMA_FILE_NAME), "utf8")) as unknown;
    expect(committed).toEqual(projectJsonSchema());
  });

  it("is draft-07 and is what the example's yaml-language-server comment points at", () => {
    expect(projectJsonSchema().$schema).toBe("http://json-schema.org/draft-07/schema#");
    const first = readFileSync(resolve(DIR, "cxda.yaml"), "utf8").split("\n")[0];
    expect(first).toBe(`# yaml-language-server: $schema=./${SCHEMA_FILE_NAME}`);
  });

  it("carries an $id and compiles under ajv's strict mode", () => {
    expect(projectJsonSchema().$id).toBe(SCHEMA_ID);
    expect(() => new Ajv({ strict: true }).compile(projectJsonSchema())).not.toThrow();
    // zod's type arrays are what strict mode refuses; none is left anywhere in the document.
    expect(JSON.stringify(projectJsonSchema())).not.toMatch(/"type":\[/);
  });

  it("is associated in the README's VS Code settings without a modeline", () => {
    const readme = readFileSync(resolve(DIR, "../../README.md"), "utf8");
    const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((text) => text.includes("yaml.schemas"));
    const settings = JSON.parse(block ?? "null") as { "yaml.schemas": Record<string, string[]> };
    expect(settings["yaml.schemas"]).toEqual({ [`./${SCHEMA_FILE_NAME}`]: ["cxda.yaml", "**/cxda.yaml"] });
  });

  it("validates the example (JSON Schema and zod agree)", () => {
    const validate = validator();
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(ProjectFileSchema.safeParse(example).success).toBe(true);
  });

  it.each<[string, (p: Doc) => void]>([
    [
      "a wrong apiVersion",
      (p) => {
        p.apiVersion = "cxda/v2";
      },
    ],
    [
      "an unknown top-level key",
      (p) => {
        p.actionz = {};
      },
    ],
    [
      "an unknown action key",
      (p) => {
        p.actions.extra_one = { type: "SCRIPT", scirpt: {} };
      },
    ],
    [
      "a bad action name",
      (p) => {
        p.actions["a b"] = { type: "SCRIPT" };
      },
    ],
    [
      "a bad variable type",
      (p) => {
        p.actions.extra_one = { type: "SCRIPT", variables: [{ name: "x", type: "float", value: "1" }] };
      },
    ],
    [
      "a computed date field",
      (p) => {
        (p.actions.callback_scheduler!.dateProcessing as Record<string, unknown>).computedUtc =
          "2024-01-01T00:00:00Z";
      },
    ],
  ])("rejects a broken file: %s", (_name, breakIt) => {
    const broken = structuredClone(example);
    breakIt(broken);
    expect(validator()(broken)).toBe(false);
    expect(ProjectFileSchema.safeParse(broken).success).toBe(false);
  });
});
