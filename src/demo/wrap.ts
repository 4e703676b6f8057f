/**
 * The demo's report fits in 100 columns: a longer line is broken at spaces, and its continuation
 * lines are indented under the text (past the `✔ ` marker). Width is measured without ANSI colour.
 */
export const DEMO_COLUMNS = 100;

const ANSI = /\x1b\[[0-9;]*m/g;

export function displayWidth(text: string): number {
  return [...text.replace(ANSI, "")].length;
}

/** `prefix` + `text` as lines of at most `columns` display columns (a single longer word stays whole). */
export function wrapLine(prefix: string, text: string, columns = DEMO_COLUMNS): string[] {
  const indent = " ".repeat(displayWidth(prefix));
  const out: string[] = [];
  for (const [i, paragraph] of text.split("\n").entries()) {
    let line = i === 0 ? prefix : indent;
    let empty = true;
    // Leading spaces of a paragraph are kept (the sections indent sub-lines themselves).
    const lead = /^ */.exec(paragraph)![0];
    line += lead;
    const base = displayWidth(line);
    for (const word of paragraph.slice(lead.length).split(" ")) {
      if (!empty && displayWidth(line) + 1 + displayWidth(word) > columns) {
        out.push(line);
        line = `${" ".repeat(base)}${word}`;
        continue;
      }
      line += empty ? word : ` ${word}`;
      empty = false;
    }
    out.push(line);
  }
  return out;
}
