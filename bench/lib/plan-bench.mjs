/** B6: computePlan time over the fixture (steady state after warm-up runs; the cold first run noted). */
import { computePlan } from "../../dist/project/plan.js";
import { planFixture } from "./plan-fixture.mjs";
import { msSince, summarize } from "./stats.mjs";

export async function timePlan(count, runs, warmup) {
  const { desired, live } = planFixture(count);
  const values = [];
  let cold = 0;
  let plan;
  for (let i = 0; i < warmup + runs; i += 1) {
    const start = process.hrtime.bigint();
    plan = computePlan(desired, live);
    const ms = msSince(start);
    if (i === 0) cold = ms;
    if (i >= warmup) values.push(ms);
  }
  const summary = plan.summary ?? {};
  return {
    measured: { ...summarize(values), coldFirstRunMs: cold },
    note: `plan: ${plan.changes.length} changes ${JSON.stringify(summary)}`,
  };
}
