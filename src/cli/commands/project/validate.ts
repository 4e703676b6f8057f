import { formatProblem } from "../../../project/validate-project.js";
import type { Handler } from "../../command.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { problemAnnotations } from "../../ui/github-annotations.js";
import type { validateSpec } from "./index.js";
import { describeProject, load } from "./load.js";

export const run: Handler<typeof validateSpec> = async (ctx, { options }) => {
  const { file } = options;
  const github = options.format === "github";
  if (github && ctx.out.json)
    throw new UsageError("--format github and --json cannot be used together: pick one");
  const result = load(ctx, file, options, false);
  if (ctx.out.json) {
    ctx.out.result({
      ok: result.ok,
      file,
      problems: result.problems,
      ...(result.project ? { actions: result.project.actions.map((a) => a.name) } : {}),
      unresolved: result.unresolved,
    });
    return result.ok ? EXIT.ok : EXIT.invalidInput;
  }
  if (!result.ok) {
    if (github) for (const line of problemAnnotations(result.problems)) ctx.out.line(line);
    else for (const problem of result.problems) ctx.out.line(formatProblem(problem));
    const n = result.problems.length;
    ctx.out.info(`${file}: ${n} problem${n === 1 ? "" : "s"}; fix them and run cxda validate again`);
    return EXIT.invalidInput;
  }
  ctx.out.line(`${file} is valid: ${describeProject(result.project!)}`);
  const n = result.unresolved.length;
  if (n > 0)
    ctx.out.info(
      `${n} placeholder${n === 1 ? " was" : "s were"} not set (${result.unresolved.join(", ")}); their values are checked by cxda plan`,
    );
  return EXIT.ok;
};
