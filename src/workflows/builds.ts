/**
 * Builds of an action for an environment: trigger one (`build.triggered`, one audit line),
 * read one, or wait until it leaves QUEUED/RUNNING. Waiting polls with a growing pause, bounded in time.
 */
import type { Build } from "../client/resources/builds.js";
import type { CxdaClient } from "../client/types.js";
import { TimeoutError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";

export type { Build, BuildError, BuildStatus } from "../client/resources/builds.js";

export interface WaitOptions {
  /** Give up after this long (default 60 000 ms) with a TimeoutError. */
  timeoutMs?: number;
  /** First pause between reads (default 25 ms), doubled up to `maxIntervalMs` (default 500 ms). */
  intervalMs?: number;
  maxIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TriggerBuildOptions extends WaitOptions {
  /** Wait until the build finishes and return its final state. */
  wait?: boolean;
}

export function isFinished(build: Pick<Build, "status">): boolean {
  return build.status === "SUCCEEDED" || build.status === "FAILED";
}

/** Reads a build of an action (`ref` is the action's name or id). */
export async function getBuild(ctx: WorkflowContext, ref: string, buildId: string): Promise<Build> {
  const action = await ctx.client.actions.resolve(ref);
  return (await ctx.client.builds.get(action.id, buildId)).body;
}

/** An action's builds, newest first; `environmentId` keeps one environment's. */
export async function listBuilds(
  ctx: WorkflowContext,
  ref: string,
  environmentId?: string,
): Promise<Build[]> {
  const action = await ctx.client.actions.resolve(ref);
  const builds: Build[] = [];
  for await (const build of ctx.client.builds.list(
    action.id,
    environmentId === undefined ? {} : { environmentId },
  ))
    builds.push(build);
  return builds;
}

/** Reads the build until it is SUCCEEDED or FAILED. */
export async function waitForBuild(
  client: Pick<CxdaClient, "builds">,
  actionId: string,
  buildId: string,
  opts: WaitOptions = {},
): Promise<Build> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = performance.now();
  let interval = opts.intervalMs ?? 25;
  for (;;) {
    const build = (await client.builds.get(actionId, buildId)).body;
    if (isFinished(build)) return build;
    if (performance.now() - started >= timeoutMs)
      throw new TimeoutError(
        `Build ${buildId} is still ${build.status} after ${Math.round(timeoutMs / 1000)} s; check it later with \`cxda builds status\`.`,
      );
    await sleep(interval);
    interval = Math.min(interval * 2, opts.maxIntervalMs ?? 500);
  }
}

/** Queues a build (admin scope); with `wait`, returns it finished. A FAILED build is returned, not thrown. */
export async function triggerBuild(
  ctx: WorkflowContext,
  ref: string,
  environmentId: string,
  opts: TriggerBuildOptions = {},
): Promise<Build> {
  return recorded(
    ctx,
    { operation: "builds.trigger", target: { name: ref }, environment: environmentId },
    async () => {
      const action = await ctx.client.actions.resolve(ref);
      const response = await ctx.client.builds.create(action.id, { environmentId });
      const queued = response.body;
      const build = opts.wait ? await waitForBuild(ctx.client, action.id, queued.id, opts) : queued;
      return {
        value: build,
        response,
        target: { id: action.id, name: action.name },
        counts: { errors: build.errors?.length ?? 0 },
        details: { buildId: build.id, status: build.status },
        event: (latencyMs) => ({
          type: "build.triggered",
          data: {
            actionId: action.id,
            actionName: action.name,
            environmentId,
            buildId: build.id,
            status: build.status,
            latencyMs,
          },
        }),
      };
    },
  );
}
