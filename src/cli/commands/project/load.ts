import type { DesiredState } from "../../../project/desired-state.js";
import { loadProject, type ProjectValidation } from "../../../project/validate-project.js";
import type { CommandContext } from "../../context.js";

/** `requireValues: false` for validate: a structure check needs no secret values, plan and apply do. */
export function load(
  ctx: CommandContext,
  file: string,
  options: { allowLiteralSecrets?: boolean | undefined; allowFilesOutsideProject?: boolean | undefined },
  requireValues = true,
): ProjectValidation {
  return loadProject(file, {
    allowLiteralSecrets: options.allowLiteralSecrets === true,
    allowFilesOutsideProject: options.allowFilesOutsideProject === true,
    requireValues,
    redactor: ctx.redactor,
  });
}

export function describeProject(project: DesiredState): string {
  const envs = new Set<string>();
  let variables = 0;
  for (const a of project.actions) {
    variables += a.variables?.length ?? 0;
    for (const env of Object.keys(a.overrides ?? {})) envs.add(env);
  }
  const n = project.actions.length;
  return `${n} action${n === 1 ? "" : "s"}, ${variables} variable${variables === 1 ? "" : "s"}, overrides in ${envs.size} environment${envs.size === 1 ? "" : "s"}`;
}
