/** `cxda datetime compute | apply`: exact date/time arithmetic (config.dateProcessing). */
import { z } from "zod";
import { arg, bind, defineCommand, dryRunFlag, flag, group } from "../../command.js";

const INPUT_HELP = `
Input (see docs/datetime.md):
  --source      RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.1–9 digits][Z|±HH:MM]; none = UTC
  --timezone    IANA zone known to this runtime (America/New_York, Asia/Kolkata, UTC)
  --operation   ADD_OFFSET or SUBTRACT_OFFSET
  --minutes     whole minutes, 0 to 5258964960 (an exact duration on the instant)
  --precision   fraction digits of the result, 0–3 (default 3); extra digits are truncated
A bad value (including --minutes text that is not a whole number) is invalid input: exit 65.
A missing flag is a usage error: exit 64.
`;

const input = {
  source: flag(z.string(), "source instant, e.g. 2024-02-29T15:30:00.000Z", { value: "<timestamp>" }),
  timezone: flag(z.string(), "IANA time zone of the result, e.g. America/New_York", { value: "<zone>" }),
  operation: flag(z.string(), "ADD_OFFSET or SUBTRACT_OFFSET", { value: "<op>" }),
  minutes: flag(z.string(), "offset in whole minutes", { value: "<n>" }),
  precision: flag(z.string().default("3"), "fraction digits of the result, 0–3", { value: "<digits>" }),
};

/** The date/time flags every datetime command takes (read by `inputFromFlags`). */
export type DateTimeFlags = { [K in keyof typeof input]: z.output<(typeof input)[K]> };

export const compute = defineCommand({
  name: "compute",
  description: "compute a result offline: the source, the result in the zone and in UTC, offsets",
  options: z.object(input),
  help: INPUT_HELP,
  examples: [
    "cxda datetime compute --source 2024-02-29T15:30:00.000Z --timezone America/New_York --operation ADD_OFFSET --minutes 120",
    "cxda datetime compute --source 2024-03-10T01:30:00-05:00 --timezone America/New_York --operation ADD_OFFSET --minutes 60 --json",
  ],
});

export const apply = defineCommand({
  name: "apply",
  description: "compute and write config.dateProcessing of an action (with the version read)",
  args: z.object({ ref: arg(z.string(), "action name or id") }),
  options: z.object({
    ...input,
    sourceField: flag(
      z.string().optional(),
      "input field the action reads (default: the action's current one, else input_datetime)",
      { value: "<name>" },
    ),
    targetField: flag(
      z.string().optional(),
      "field the result goes to (default: the action's current one, else processed_datetime)",
      { value: "<name>" },
    ),
    dryRun: dryRunFlag(),
  }),
  help: INPUT_HELP,
  examples: [
    "cxda datetime apply callback_scheduler --source 2024-02-29T15:30:00.000Z --timezone America/New_York --operation ADD_OFFSET --minutes 120",
    "cxda datetime apply callback_scheduler --source 2024-11-03T05:30:00Z --timezone America/New_York --operation SUBTRACT_OFFSET --minutes 30 --precision 0 --target-field callback_local --json",
  ],
});

export const datetime = group("datetime", [
  bind(compute, () => import("./compute.js")),
  bind(apply, () => import("./apply.js")),
]);
