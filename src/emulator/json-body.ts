/**
 * Request body parsing (SPEC §3): JSON text → value, refusing malformed JSON (`malformed-json`) and
 * prototype-pollution keys (`__proto__`, `constructor.prototype`) with a 400 instead of a crash.
 */
import { ProblemError } from "./problem.js";

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "")
    throw new ProblemError("malformed-json", "The request body is empty; send a JSON document.");
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
