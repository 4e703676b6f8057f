/**
 * Colour is decided per stream: `cxda … > out.txt` in a terminal keeps colour on stderr only, and
 * `2> err.txt` on stdout only. The rule is picocolors' (`isColorSupported`): NO_COLOR and --no-color
 * turn colour off, FORCE_COLOR or CI turn it on, otherwise a terminal that is not TERM=dumb. picocolors
 * applies it to stdout at load, so stdout also needs its answer, and stderr gets the same rule with its
 * own terminal check. Added: CLICOLOR_FORCE (non-zero) forces colour; FORCE_COLOR=0 turns it off.
 */
import { isatty } from "node:tty";
import pc from "picocolors";

export interface ColorStreams {
  stdout: boolean;
  stderr: boolean;
}

const on = (value: string | undefined) =>
  value !== undefined && value !== "" && value !== "0" && value !== "false";

export function decideColors(
  flag: boolean | undefined,
  env: NodeJS.ProcessEnv,
  streams: { stdout?: NodeJS.WritableStream | undefined; stderr?: NodeJS.WritableStream | undefined },
): ColorStreams {
  if (flag === false || (env.NO_COLOR ?? "") !== "" || env.FORCE_COLOR === "0")
    return { stdout: false, stderr: false };
  if (on(env.CLICOLOR_FORCE) || on(env.FORCE_COLOR) || on(env.CI)) return { stdout: true, stderr: true };
  // An injected stream (tests) is never a terminal.
  const terminal = (given: NodeJS.WritableStream | undefined, own: NodeJS.WritableStream, fd: number) =>
    (given === undefined || given === own) && isatty(fd) && env.TERM !== "dumb";
  return {
    stdout: (env !== process.env || pc.isColorSupported) && terminal(streams.stdout, process.stdout, 1),
    stderr: terminal(streams.stderr, process.stderr, 2),
  };
}
