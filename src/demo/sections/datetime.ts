import { explainDateTime } from "../../domain/datetime.js";
import { ValidationError } from "../../errors.js";
import { applyDateProcessing } from "../../workflows/datetime.js";
import type { DemoSection } from "../demo-env.js";

/** The documented example (docs/datetime.md) and a DST change: the offset is exact on the instant. */
export const datetimeSection: DemoSection = async (env) => {
  env.section("Date/time processing: exact offsets across zones and DST");
  const created = await env.client.actions.create({
    name: "callback_scheduler",
    description: "schedules a callback two hours after the contact",
    type: "SCRIPT",
    enabled: true,
    trigger: { type: "MANUAL" },
    script: {
      language: "JavaScript",
      content:
        "function main(context) {\n  return { processed_datetime: context.input.input_datetime };\n}\n",
    },
    dependencies: [],
  });
  const { action, dateProcessing, latencyMs } = await applyDateProcessing(env.ctx, "callback_scheduler", {
    sourceTimestamp: "2024-02-29T15:30:00.000Z",
    timezone: "America/New_York",
    operation: "ADD_OFFSET",
    offsetMinutes: 120,
    precision: 3,
  });
  env.ok(
    `2024-02-29T15:30:00.000Z + 120 min in America/New_York → ${dateProcessing.computedValue} (${dateProcessing.computedUtc})`,
  );
  env.say(`stored on ${action.name}, version ${action.version} (${latencyMs} ms); config.dateProcessing:`);
  const stored = action.config.dateProcessing as Record<string, unknown>;
  for (const keys of [
    ["sourceField", "targetField", "sourceTimestamp"],
    ["operation", "offsetMinutes", "timezone", "precision"],
    ["computedValue", "computedUtc"],
  ]) {
    env.say(`  ${keys.map((k) => `${k}: ${JSON.stringify(stored[k])}`).join(", ")}`);
  }

  try {
    // A wrong output: the local time labelled with Z. The emulator checks like the SDK does.
    await env.client.actions.patch(
      created.body.id,
      { config: { dateProcessing: { ...dateProcessing, computedValue: "2024-02-29T12:30:00.000Z" } } },
      { version: action.version },
    );
    env.say("unexpected: a local time labelled with Z was accepted");
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    env.refused(
      `the local time labelled Z, "2024-02-29T12:30:00.000Z", refused by the emulator: ${error.issues[0]?.message}`,
    );
  }

  const dst = explainDateTime({
    sourceTimestamp: "2024-03-10T01:30:00-05:00",
    timezone: "America/New_York",
    operation: "ADD_OFFSET",
    offsetMinutes: 60,
  });
  env.ok(
    `spring forward: ${dst.source} + 60 min → ${dst.computedValue} (${dst.computedUtc}); ` +
      `UTC offset ${dst.offsetBefore} before, ${dst.offsetAfter} after — exactly 60 minutes, no 02:30 that night`,
  );
};
