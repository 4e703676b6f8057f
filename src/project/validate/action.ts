/**
 * One action of the file: its shape, the action rules of the domain (name, type, description, script,
 * request, dependencies: the request is reported at `request`, where the file writes it), then each of
 * its sections. Returns its desired state (meaningful only when the file has no problem).
 */
import { validateActionPayload } from "../../domain/action-rules.js";
import type { ActionType, HttpMethod } from "../../domain/action-schema.js";
import type { IssuePath } from "../../domain/validation-result.js";
import type { DesiredAction } from "../desired-state.js";
import { ProjectActionCheckSchema } from "../project-schema.js";
import { type CheckContext, FAILED, isRecord, type Json, typeName } from "./context.js";
import { checkDateProcessing } from "./date-processing.js";
import { checkHeaders } from "./headers.js";
import { checkOverrides } from "./overrides.js";
import { checkShape } from "./shape.js";
import { checkVariables } from "./variables.js";

export function checkAction(
  ctx: CheckContext,
  name: string,
  raw: unknown,
  environments: string[] | undefined,
): DesiredAction | undefined {
  const at: IssuePath = ["actions", name];
  if (!isRecord(raw)) {
    ctx.report(
      at,
      FAILED,
      `action '${name}' must be a mapping with at least 'type' (SCRIPT or HTTP), got ${typeName(raw)}`,
      { key: true },
    );
    return undefined;
  }
  checkShape(ctx, ProjectActionCheckSchema, raw, at);
  const label = `action ${name}`;
  if (raw.script === undefined && raw.type === "SCRIPT") {
    ctx.report(
      at,
      FAILED,
      `action ${name}: a SCRIPT action needs 'script: {file: path/to/script.js}' (a path relative to ${ctx.fileName})`,
      { key: true },
    );
    ctx.unusableAt([...at, "script"]);
  }

  const description = ctx.text([...at, "description"])?.value;
  const urlTemplate = ctx.text([...at, "request", "urlTemplate"])?.value;
  const request = isRecord(raw.request) ? { method: raw.request.method, urlTemplate } : undefined;
  const script = ctx.loaded.scripts.get(name);
  const payload: Json = {
    name,
    type: raw.type,
    ...(description !== undefined ? { description } : {}),
    ...(script ? { script: { language: "JavaScript", content: script.content } } : {}),
    ...(request ? { config: { request } } : {}),
    ...(raw.dependencies !== undefined ? { dependencies: raw.dependencies } : {}),
  };
  ctx.domain(validateActionPayload(payload, { configPath: [] }).issues, at, label, (found) => {
    const [first, second] = found.segments ?? [];
    if (first === undefined || first === "name") return { path: at, key: true };
    if (first === "script" && second === "content" && script) {
      // A script's own problems point into the script file.
      const position = { file: script.shownFile, line: found.line ?? 1, column: found.column ?? 1 };
      return { path: [...at, "script"], at: position };
    }
    if (first === "script") return { path: [...at, "script"] };
    if (first === "config") return { path: at };
    return { path: [...at, ...(found.segments ?? [])] };
  });

  const headers = checkHeaders(ctx, at, raw.headers, label);
  const variables = checkVariables(ctx, at, raw.variables, label);
  const overrides = checkOverrides(ctx, at, raw.overrides, label, environments);
  const dateProcessing = checkDateProcessing(ctx, at, raw.dateProcessing, label);

  return {
    name,
    type: raw.type as ActionType,
    description: description ?? "",
    script: script ? { language: "JavaScript", content: script.content, file: script.file } : null,
    request:
      request && typeof request.urlTemplate === "string"
        ? { method: request.method as HttpMethod, urlTemplate: request.urlTemplate }
        : null,
    dependencies: Array.isArray(raw.dependencies)
      ? raw.dependencies.filter((d) => typeof d === "string")
      : [],
    headers,
    secretHeaders: [],
    ...(variables ? { variables } : {}),
    ...(overrides ? { overrides } : {}),
    dateProcessing,
  };
}
