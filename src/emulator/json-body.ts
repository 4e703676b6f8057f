/**
 * Request body parsing: JSON text → value, refusing malformed JSON (`malformed-json`) and
 * prototype-pollution keys (`__proto__`, `constructor.prototype`) with a 400 instead of a crash.
 */
import { ProblemError } from "./problem.js";

/** Deeper documents are refused before parsing: nothing in this API nests anywhere near this. */
export const MAX_JSON_DEPTH = 512;

/** The deepest nesting of arrays and objects, scanning once without recursion (strings skipped). */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "")
    throw new ProblemError("malformed-json", "The request body is empty; send a JSON document.");
  const depth = jsonNestingDepth(text);
  if (depth > MAX_JSON_DEPTH)
    throw new ProblemError(
      "validation-failed",
      `The request body nests arrays or objects ${depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted. Flatten the document.`,
      {
        issues: [
          { path: "", code: "too-deep", message: `nested ${depth} levels deep; at most ${MAX_JSON_DEPTH}` },
        ],
      },
    );
  let forbidden: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: unknown, key: string, v: unknown) {
      if (key === "__proto__") forbidden ??= "__proto__";
      else if (key === "constructor" && v !== null && typeof v === "object" && Object.hasOwn(v, "prototype"))
        forbidden ??= "constructor.prototype";
      return v;
    });
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : "not JSON";
    throw new ProblemError(
      "malformed-json",
      `The request body is not valid JSON (${reason}); send a JSON document.`,
    );
  }
  if (forbidden !== undefined)
    throw new ProblemError(
      "validation-failed",
      `The request body contains the key "${forbidden}", which is not allowed anywhere in a document; remove it.`,
      {
        issues: [
          {
            path: forbidden,
            code: "forbidden-key",
            message: `the key "${forbidden}" is not allowed; remove it`,
          },
        ],
      },
    );
  return value;
}
