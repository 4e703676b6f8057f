import type { Command } from "commander";
import { examples, type RegisterGroup } from "../program.js";

const INPUT_HELP = `
Input (SPEC §4.2):
  --source      RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.1–9 digits][Z|±HH:MM]; none = UTC
  --timezone    IANA zone known to this runtime (America/New_York, Asia/Kolkata, UTC)
  --operation   ADD_OFFSET or SUBTRACT_OFFSET
  --minutes     whole minutes, 0 to 5258964960 (an exact duration on the instant)
  --precision   fraction digits of the result, 0–3 (default 3); extra digits are truncated
A bad value (including --minutes text that is not a whole number) is invalid input: exit 65.
A missing flag is a usage error: exit 64.
`;

function inputOptions(command: Command): Command {
  return command
    .requiredOption("--source <timestamp>", "source instant, e.g. 2024-02-29T15:30:00.000Z")
    .requiredOption("--timezone <zone>", "IANA time zone of the result, e.g. America/New_York")
    .requiredOption("--operation <op>", "ADD_OFFSET or SUBTRACT_OFFSET")
    .requiredOption("--minutes <n>", "offset in whole minutes")
    .option("--precision <digits>", "fraction digits of the result, 0–3", "3");
}

export const registerDatetime: RegisterGroup = (program, run) => {
  const datetime = program
    .command("datetime")
    .description("exact date/time arithmetic across time zones and DST (config.dateProcessing)");
  inputOptions(datetime.command("compute"))
    .description("compute a result offline: the source, the result in the zone and in UTC, offsets")
    .addHelpText(
      "after",
      INPUT_HELP +
        examples(
          "cxda datetime compute --source 2024-02-29T15:30:00.000Z --timezone America/New_York --operation ADD_OFFSET --minutes 120",
          "cxda datetime compute --source 2024-03-10T01:30:00-05:00 --timezone America/New_York --operation ADD_OFFSET --minutes 60 --json",
        ),
    )
    .action(run(async () => (await import("../commands/datetime.js")).datetimeCompute));
  inputOptions(datetime.command("apply"))
    .description("compute and write config.dateProcessing of an action (with the version read)")
    .argument("<ref>", "action name or id")
    .option("--source-field <name>", "input field the action reads", "input_datetime")
    .option("--target-field <name>", "field the result goes to", "processed_datetime")
    .addHelpText(
      "after",
      INPUT_HELP +
        examples(
          "cxda datetime apply callback_scheduler --source 2024-02-29T15:30:00.000Z --timezone America/New_York --operation ADD_OFFSET --minutes 120",
          "cxda datetime apply callback_scheduler --source 2024-11-03T05:30:00Z --timezone America/New_York --operation SUBTRACT_OFFSET --minutes 30 --precision 0 --target-field callback_local --json",
        ),
    )
    .action(run(async () => (await import("../commands/datetime.js")).datetimeApply));
};
