/** B7: a plan of `actions` actions in a fresh process; prints its peak RSS (maxRSS, KiB) as JSON. */
import { computePlan } from "../../dist/project/plan.js";
import { planFixture } from "./plan-fixture.mjs";

const { actions } = JSON.parse(process.argv[2] ?? "{}");
const { desired, live } = planFixture(actions);
const plan = computePlan(desired, live);
console.log(JSON.stringify({ changes: plan.changes.length, maxRssKb: process.resourceUsage().maxRSS }));
