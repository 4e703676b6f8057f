/**
 * Whether cxda may ask a question: the answer comes from stdin, so stdin must be a terminal, and the
 * question must reach a terminal too. It goes to stderr, or to stdout when stderr is redirected
 * (`cxda apply 2>err.txt` still asks on screen); a redirected stderr alone never makes cxda refuse.
 */
export function promptStream(
  streams: {
    stdin: { isTTY?: boolean };
    stdout: NodeJS.WritableStream & { isTTY?: boolean };
    stderr: NodeJS.WritableStream & { isTTY?: boolean };
  } = process,
): NodeJS.WritableStream | undefined {
  if (!streams.stdin.isTTY) return undefined;
  if (streams.stderr.isTTY) return streams.stderr;
  if (streams.stdout.isTTY) return streams.stdout;
  return undefined;
}
