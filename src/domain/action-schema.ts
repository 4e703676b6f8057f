/**
 * The action resource as zod 4 schemas: the single source of the `Action` and `ActionInput`
 * types for the emulator, the SDK and the JSON Schema export (`z.toJSONSchema`). The schemas state the
 * shape; `validateActionPayload` (action-rules.ts) applies every rule with the messages users see.
 */
import { z } from "zod";
import { utf8Bytes } from "./validation-result.js";

export const ACTION_NAME_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;
export const MAX_SCRIPT_BYTES = 65_536;
export const MAX_DESCRIPTION_CHARS = 1_024;
export const MAX_DEPENDENCIES = 100;
export const MAX_URL_TEMPLATE_CHARS = 8_192;
export const ACTION_TYPES = ["SCRIPT", "HTTP"] as const;
export const TRIGGER_TYPES = ["MANUAL"] as const;
export const SCRIPT_LANGUAGES = ["JavaScript"] as const;
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Absolute http(s); no whitespace and no control character (C0, DEL, C1), as in a header value. */
export const URL_TEMPLATE_PATTERN =
  /^https?:\/\/[^\s\u0000-\u001f\u007f-\u009f/?#]+[^\s\u0000-\u001f\u007f-\u009f]*$/i;

export const ActionNameSchema = z
  .string()
  .regex(ACTION_NAME_PATTERN)
  .describe("Action name, unique per tenant: 3–64 characters from A–Z, a–z, 0–9, '_' and '-'.");

export const ActionTypeSchema = z
  .enum(ACTION_TYPES)
  .describe("SCRIPT runs `script`; HTTP sends `config.request`.");

export const TriggerSchema = z
  .strictObject({ type: z.enum(TRIGGER_TYPES).describe("How the action is started; only MANUAL.") })
  .describe("When the action runs.");

export const ScriptSchema = z
  .strictObject({
    language: z.enum(SCRIPT_LANGUAGES).describe("Script language; only JavaScript."),
    content: z
      .string()
      .refine((s) => utf8Bytes(s) <= MAX_SCRIPT_BYTES, `at most ${MAX_SCRIPT_BYTES} UTF-8 bytes`)
      .describe(
        `An ECMAScript 2022 script of at most ${MAX_SCRIPT_BYTES} UTF-8 bytes declaring a top-level function \`main(context)\`.`,
      ),
  })
  .describe("The code of a SCRIPT action.");

export const HttpRequestSchema = z
  .strictObject({
    method: z.enum(HTTP_METHODS).describe("HTTP method of the request."),
    urlTemplate: z
      .string()
      .max(MAX_URL_TEMPLATE_CHARS)
      .regex(URL_TEMPLATE_PATTERN)
      .describe("Absolute http(s) URL; may hold `{placeholders}`."),
  })
  .describe("The request an HTTP action sends.");

export const HeaderMatrixSchema = z
  .record(z.string(), z.string().nullable())
  .describe("Request headers: name → value; in a write, null removes the header.");

export const StoredHeaderMatrixSchema = z
  .record(z.string(), z.string())
  .describe("Request headers as stored: name → value.");

// The date rules (docs/datetime.md) live in their own module; here the field is only an object.
export const DateProcessingSchema = z
  .looseObject({})
  .describe("Date/time processing settings, or null when unused.");

export const ActionConfigInputSchema = z
  .strictObject({
    request: HttpRequestSchema.nullable().optional(),
    headers: HeaderMatrixSchema.nullable().optional(),
    dateProcessing: DateProcessingSchema.nullable().optional(),
  })
  .describe("Request, headers and date processing of the action.");

/** What a client sends on POST and PUT (and what a PATCH must merge into): editable fields only. */
export const ActionInputSchema = z
  .strictObject({
    name: ActionNameSchema,
    description: z
      .string()
      .max(MAX_DESCRIPTION_CHARS)
      .optional()
      .describe(`Free text, at most ${MAX_DESCRIPTION_CHARS} characters.`),
    type: ActionTypeSchema,
    enabled: z.boolean().optional().describe("Whether the action may run; default true."),
    trigger: TriggerSchema.optional(),
    script: ScriptSchema.nullable().optional(),
    config: ActionConfigInputSchema.nullable().optional(),
    dependencies: z
      .array(ActionNameSchema)
      .max(MAX_DEPENDENCIES)
      .optional()
      .describe(
        `Names of actions of the same tenant this one needs; at most ${MAX_DEPENDENCIES}, no duplicates.`,
      ),
    locked: z.boolean().optional().describe("A locked action refuses every write except unlocking."),
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Optimistic concurrency: the version the write is based on (mismatch → 409)."),
  })
  .describe("The editable fields of a Data Action.");

/** The full resource as the server returns it. Unknown extra fields are tolerated (and dropped). */
export const ActionResourceSchema = z
  .object({
    id: z.string().describe("Server-assigned id (UUID)."),
    name: ActionNameSchema,
    description: z.string().describe("Free text."),
    type: ActionTypeSchema,
    enabled: z.boolean(),
    trigger: TriggerSchema,
    script: ScriptSchema.nullish(),
    config: z.object({
      request: HttpRequestSchema.nullish(),
      headers: StoredHeaderMatrixSchema,
      dateProcessing: DateProcessingSchema.nullable(),
    }),
    dependencies: z.array(ActionNameSchema),
    locked: z.boolean(),
    version: z.number().int().min(1).describe("Starts at 1, +1 per change; also sent as ETag."),
    createdTimestamp: z.number().int().describe("Creation time, epoch milliseconds."),
    modifiedTimestamp: z.number().int().describe("Last change, epoch milliseconds."),
  })
  .describe("A Data Action.");

export type ActionType = (typeof ACTION_TYPES)[number];
export type HttpMethod = (typeof HTTP_METHODS)[number];
export type Action = z.infer<typeof ActionResourceSchema>;
export type ActionInput = z.infer<typeof ActionInputSchema>;
export type HeaderMatrix = z.infer<typeof HeaderMatrixSchema>;

/** Fields the server sets; a payload carrying them is refused (they are not editable). */
export const SERVER_FIELDS = ["id", "createdTimestamp", "modifiedTimestamp"] as const;

/** The editable view of a stored action: what a PATCH merges into and a PUT replaces. */
export function editableFieldsOf(action: Action): ActionInput {
  return {
    name: action.name,
    description: action.description,
    type: action.type,
    enabled: action.enabled,
    trigger: { ...action.trigger },
    ...(action.script ? { script: { ...action.script } } : {}),
    config: {
      ...(action.config.request ? { request: { ...action.config.request } } : {}),
      headers: { ...action.config.headers },
      dateProcessing: action.config.dateProcessing ? { ...action.config.dateProcessing } : null,
    },
    dependencies: [...action.dependencies],
    locked: action.locked,
  };
}
