/**
 * The `cxda.yaml` format, `apiVersion: cxda/v1`, as zod 4 schemas: the shape of the file and
 * the source of its published JSON Schema. The schemas state the shape (types, known keys, enums);
 * every rule of actions, variables and overrides is applied by the shared domain validators in validate-project.ts, which
 * give the messages users see.
 *
 * Actions are a map keyed by name: editors complete and fold by name, a YAML duplicate key is a
 * duplicate action, and a diff of the file shows one action's block, never a shift of list indexes.
 */
import { z } from "zod";
import { ACTION_NAME_PATTERN, ACTION_TYPES, HTTP_METHODS } from "../domain/action-schema.js";
import { DATETIME_OPERATIONS } from "../domain/datetime.js";
import { ENVIRONMENT_ID } from "../domain/environment-id.js";
import { HEADER_NAME_PATTERN } from "../domain/headers.js";
import { OVERRIDE_NAME_PATTERN } from "../domain/overrides.js";
import { VARIABLE_NAME_PATTERN, VARIABLE_TYPES } from "../domain/variables.js";

export const API_VERSION = "cxda/v1";
/** Where the published schema of the example lives; `cxda schema` prints the same text. */
export const SCHEMA_FILE_NAME = "cxda.schema.json";

// biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown to users as is
const PLACEHOLDER_HINT = "May be given as ${env:NAME} or ${file:PATH} (resolved relative to cxda.yaml).";

export const EnvironmentIdSchema = z
  .string()
  .regex(ENVIRONMENT_ID)
  .describe("An environment id of the tenant, e.g. dev, staging, prod.");

export const ProjectScriptSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .describe(
        "Path of the JavaScript file, relative to cxda.yaml; it must declare function main(context).",
      ),
  })
  .describe("The script of a SCRIPT action, read from a file.");

export const ProjectRequestSchema = z
  .strictObject({
    method: z.enum(HTTP_METHODS).describe("HTTP method of the request."),
    urlTemplate: z.string().describe("Absolute http(s) URL; may hold {placeholders}."),
  })
  .describe("The request an HTTP action sends (config.request).");

export const ProjectHeadersSchema = z
  .record(
    z.string().regex(HEADER_NAME_PATTERN),
    z.string().describe(`Header value. Credentials belong in placeholders. ${PLACEHOLDER_HINT}`),
  )
  .describe("Request headers: name → value. Omitted means no headers.");

export const ProjectVariableSchema = z
  .strictObject({
    name: z
      .string()
      .regex(VARIABLE_NAME_PATTERN)
      .describe("Variable name: a letter, then letters, digits, '_'."),
    type: z.enum(VARIABLE_TYPES).describe("How the value is checked: string, integer, boolean or object."),
    value: z
      .union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown())], {
        error: "value must be a string, a number, a boolean or (for type object) a mapping",
      })
      .describe(
        `The value; numbers and booleans are written as text, a mapping as JSON. An encrypted value must be a placeholder. ${PLACEHOLDER_HINT}`,
      ),
    encrypted: z
      .boolean()
      .optional()
      .describe("Store encrypted at rest; the API never returns the value. Default false."),
  })
  .describe("An action variable.");

export const ProjectOverrideSchema = z
  .strictObject({
    name: z
      .string()
      .regex(OVERRIDE_NAME_PATTERN)
      .describe("Override name: A–Z, 0–9 and '_', not starting with a digit."),
    value: z
      .union([z.string(), z.number(), z.boolean()], {
        error: "value must be a string, a number or a boolean",
      })
      .describe(
        `The value (at most 1 024 characters, no shell metacharacters). A masked value must be a placeholder. ${PLACEHOLDER_HINT}`,
      ),
    masked: z.boolean().optional().describe("Shown as *** by the API; at least 8 characters. Default false."),
    description: z.string().optional().describe("Free text."),
    promote: z
      .boolean()
      .optional()
      .describe(
        "false marks the override environment-specific: cxda promote never copies it into or out of this environment. Default true.",
      ),
  })
  .describe("A per-environment variable override.");

export const ProjectDateProcessingSchema = z
  .strictObject({
    sourceField: z.string().describe("Field the timestamp is read from."),
    targetField: z.string().describe("Field the computed value is written to."),
    sourceTimestamp: z
      .string()
      .describe("RFC 3339 date-time, e.g. 2024-03-10T01:30:00-05:00; no designator means UTC."),
    operation: z
      .enum(DATETIME_OPERATIONS as [string, ...string[]])
      .describe("ADD_OFFSET or SUBTRACT_OFFSET."),
    offsetMinutes: z.number().int().min(0).describe("An exact duration in minutes (not wall-clock)."),
    timezone: z.string().describe("IANA time zone of the result, e.g. America/New_York."),
    precision: z
      .number()
      .int()
      .min(0)
      .max(3)
      .optional()
      .describe("Fraction digits 0–3, truncated. Default 3."),
  })
  .describe(
    "Date/time processing inputs; computedValue and computedUtc are computed at apply, never written here.",
  );

export const ProjectActionSchema = z
  .strictObject({
    type: z.enum(ACTION_TYPES).describe("SCRIPT runs script.file; HTTP sends request."),
    description: z.string().optional().describe("Free text, at most 1 024 characters. Omitted means empty."),
    script: ProjectScriptSchema.optional(),
    request: ProjectRequestSchema.optional(),
    dependencies: z
      .array(z.string().regex(ACTION_NAME_PATTERN))
      .optional()
      .describe("Names of actions this one needs; each must be defined in this file."),
    headers: ProjectHeadersSchema.optional(),
    variables: z
      .array(ProjectVariableSchema)
      .optional()
      .describe("The whole set of action variables. Omitted means the variables are not managed here."),
    overrides: z
      .record(EnvironmentIdSchema, z.array(ProjectOverrideSchema))
      .optional()
      .describe(
        "Per environment id, the whole set of overrides. Environments not listed are not managed here.",
      ),
    dateProcessing: ProjectDateProcessingSchema.optional(),
  })
  .describe("A Data Action.");

export const ProjectFileSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION).describe("The format version; always cxda/v1."),
    environments: z
      .array(EnvironmentIdSchema)
      .optional()
      .describe("Environment ids the overrides may use; when given, any other id is an error."),
    actions: z
      .record(z.string().regex(ACTION_NAME_PATTERN), ProjectActionSchema)
      .optional()
      .describe("The actions, keyed by name (3–64 characters from A–Z, a–z, 0–9, '_' and '-')."),
  })
  .describe("A cxda project: the desired state of a tenant's Data Actions.");

/**
 * The same shape with plain-string map keys, used when checking a file: zod drops a record entry whose
 * key fails its pattern without checking the value, and the domain validators report bad names anyway.
 */
export const ProjectActionCheckSchema = ProjectActionSchema.extend({
  headers: z.record(z.string(), z.string()).optional(),
  overrides: z.record(z.string(), z.array(ProjectOverrideSchema)).optional(),
});
export const ProjectFileCheckSchema = ProjectFileSchema.extend({
  actions: z.record(z.string(), z.unknown()).optional(),
});

export type ProjectFile = z.input<typeof ProjectFileSchema>;
export type ProjectAction = z.input<typeof ProjectActionSchema>;
export type ProjectVariable = z.input<typeof ProjectVariableSchema>;
export type ProjectOverride = z.input<typeof ProjectOverrideSchema>;
export type ProjectDateProcessing = z.input<typeof ProjectDateProcessingSchema>;

/** The keys each kind of mapping allows, for "did you mean" suggestions. */
export const ALLOWED_KEYS = {
  project: Object.keys(ProjectFileSchema.shape),
  action: Object.keys(ProjectActionSchema.shape),
  script: Object.keys(ProjectScriptSchema.shape),
  request: Object.keys(ProjectRequestSchema.shape),
  variable: Object.keys(ProjectVariableSchema.shape),
  override: Object.keys(ProjectOverrideSchema.shape),
  dateProcessing: Object.keys(ProjectDateProcessingSchema.shape),
} as const;

/**
 * The schema's identifier. A URN, not a URL: nothing is served at an address, so none is promised; editors
 * associate the schema by file path (README, "Editor support"), and `$id` only names it for `$ref`
 * resolution and for validators that cache schemas by id.
 */
export const SCHEMA_ID = "urn:cxda:schema:project:v1";

/**
 * The JSON Schema of the format, draft-07: the draft every yaml-language-server release reads
 * (newer drafts only in recent ones). Deterministic, so the committed copy can be compared to it.
 * It compiles under ajv's strict mode: zod writes a union of primitives as a type array, which strict
 * mode refuses (strictTypes), so those become an `anyOf` of single types, the same set of values.
 */
export function projectJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ProjectFileSchema, { target: "draft-07", io: "input" }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = withoutTypeArrays(schema) as Record<string, unknown>;
  return { $schema, $id: SCHEMA_ID, title: "cxda project (cxda.yaml, apiVersion cxda/v1)", ...rest };
}

function withoutTypeArrays(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutTypeArrays);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withoutTypeArrays(value);
  if (Array.isArray(out.type)) {
    const types = out.type as string[];
    delete out.type;
    out.anyOf = types.map((type) => ({ type }));
  }
  return out;
}
