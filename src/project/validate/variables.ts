/** The `variables:` of an action: the whole set, checked by the domain's variable rules. */
import type { IssuePath } from "../../domain/validation-result.js";
import { inputValueText, type VariableType, validateVariables } from "../../domain/variables.js";
import type { DesiredVariable } from "../desired-state.js";
import { type CheckContext, FAILED, isRecord } from "./context.js";
import { isLiteral, literalSecretHint } from "./values.js";

export function checkVariables(
  ctx: CheckContext,
  at: IssuePath,
  raw: unknown,
  label: string,
): DesiredVariable[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const list = raw.map((item, index) => {
    if (!isRecord(item)) return item;
    const valuePath = [...at, "variables", index, "value"];
    const resolved = ctx.text(valuePath);
    const value = resolved ? resolved.value : inputValueText(item.value);
    const literal = isLiteral(item.value);
    if (item.encrypted === true && literal && !ctx.options.allowLiteralSecrets) {
      ctx.report(
        valuePath,
        FAILED,
        `${label}: variable '${String(item.name)}' is encrypted, so its value ${literalSecretHint}`,
      );
    }
    return { name: item.name, type: item.type, value, encrypted: item.encrypted ?? false, scope: "action" };
  });
  ctx.domain(validateVariables(list, { scope: "action", basePath: ["variables"] }).issues, at, label);
  return list.filter(isRecord).map(
    (v): DesiredVariable => ({
      name: String(v.name),
      type: v.type as VariableType,
      value: typeof v.value === "string" ? v.value : "",
      encrypted: v.encrypted === true,
    }),
  );
}
