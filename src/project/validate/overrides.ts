/** The `overrides:` of an action: per environment id, the whole set, checked by the domain's rules. */
import { ENVIRONMENT_ID_RULE, isEnvironmentId } from "../../domain/environment-id.js";
import { validateOverrides } from "../../domain/overrides.js";
import type { IssuePath } from "../../domain/validation-result.js";
import { inputValueText } from "../../domain/variables.js";
import type { DesiredOverride } from "../desired-state.js";
import { didYouMean } from "../did-you-mean.js";
import { type CheckContext, FAILED, isRecord } from "./context.js";
import { isLiteral, literalSecretHint } from "./values.js";

export function checkOverrides(
  ctx: CheckContext,
  at: IssuePath,
  raw: unknown,
  label: string,
  environments: string[] | undefined,
): Record<string, DesiredOverride[]> | undefined {
  if (!isRecord(raw)) return undefined;
  const result: Record<string, DesiredOverride[]> = {};
  for (const [env, items] of Object.entries(raw)) {
    const envPath = [...at, "overrides", env];
    if (!isEnvironmentId(env)) {
      ctx.report(envPath, FAILED, `${label}: '${env}' is not an environment id (${ENVIRONMENT_ID_RULE})`, {
        key: true,
      });
    }
    if (!Array.isArray(items)) continue;
    const list = items.map((item, index) => {
      if (!isRecord(item)) return item;
      const valuePath = [...envPath, index, "value"];
      const resolved = ctx.text(valuePath);
      if (item.masked === true && isLiteral(item.value) && !ctx.options.allowLiteralSecrets) {
        ctx.report(
          valuePath,
          FAILED,
          `${label}: override '${String(item.name)}' in ${env} is masked, so its value ${literalSecretHint}`,
        );
      }
      const description = ctx.text([...envPath, index, "description"]);
      return {
        name: item.name,
        value: resolved ? resolved.value : inputValueText(item.value),
        masked: item.masked ?? false,
        ...(description !== undefined ? { description: description.value } : {}),
      };
    });
    const checked = validateOverrides(
      { variables: list },
      {
        environmentId: env,
        listPath: ["overrides", env],
        ...(environments ? { knownEnvironments: environments } : {}),
      },
    );
    const unknownEnvironment = (i: { segments?: IssuePath }) => i.segments?.[0] === "environmentId";
    for (const i of checked.issues.filter(unknownEnvironment)) {
      // The domain names the unknown id; the file can say what is close and where to declare it.
      const hint = `${didYouMean(env, environments ?? [])}; add it to 'environments:' or fix the id`;
      ctx.report(envPath, i.code, `${label}: ${i.message}${hint}`, { key: true });
    }
    ctx.domain(
      checked.issues.filter((i) => !unknownEnvironment(i)),
      at,
      label,
    );
    result[env] = list.filter(isRecord).map(
      (o): DesiredOverride => ({
        name: String(o.name),
        value: typeof o.value === "string" ? o.value : "",
        masked: o.masked === true,
        description: typeof o.description === "string" ? o.description : "",
      }),
    );
  }
  return result;
}
