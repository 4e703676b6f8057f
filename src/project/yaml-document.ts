/**
 * A YAML text with node positions (the `yaml` package's Document + LineCounter), so every problem in
 * a `cxda.yaml` can be reported as file:line:column. Duplicate keys are found here, with the line of
 * the first occurrence, rather than by the parser's generic "Map keys must be unique".
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

export type YamlPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export interface YamlSyntaxError extends Position {
  message: string;
}

export interface DuplicateKey extends Position {
  /** Path of the mapping that holds the key twice. */
  parent: YamlPath;
  key: string;
  /** Where the key first appears. */
  first: Position;
}

export interface YamlDocument {
  /** The plain data; for a duplicated key, the last value wins (duplicates are reported). */
  data: unknown;
  syntaxErrors: YamlSyntaxError[];
  duplicateKeys: DuplicateKey[];
  /**
   * Position of the node at `path` (its key when `key` is set, or when the value is empty); for a path
   * that does not exist, the position of the deepest part that does.
   */
  locate(path: YamlPath, options?: { key?: boolean }): Position;
}

export function parseYamlDocument(text: string): YamlDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number): Position => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const syntaxErrors = doc.errors.map((e) => ({
    ...at(e.pos[0]),
    message: `YAML syntax error: ${firstLine(e.message)}`,
  }));
  const start = (node: unknown): Position | undefined =>
    isNode(node) && node.range ? at(node.range[0]) : undefined;

  const duplicateKeys: DuplicateKey[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, Position>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        const here = start(pair.key) ?? { line: 1, column: 1 };
        const first = seen.get(key);
        if (first) duplicateKeys.push({ parent: [...path], key, first, ...here });
        else seen.set(key, here);
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    }
  };
  if (syntaxErrors.length === 0) visit(doc.contents, []);

  const locate = (path: YamlPath, options: { key?: boolean } = {}): Position => {
    let node: unknown = doc.contents;
    let best = start(node) ?? { line: 1, column: 1 };
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) return best;
        const keyPos = start(pair.key) ?? best;
        const valuePos = start(pair.value as Node | null);
        if (last) return options.key || !valuePos ? keyPos : valuePos;
        best = valuePos ?? keyPos;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        const itemPos = start(item);
        if (!itemPos) return best;
        best = itemPos;
        node = item;
      } else {
        return best;
      }
    }
    return best;
  };

  let data: unknown;
  if (syntaxErrors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntaxErrors.push({ line: 1, column: 1, message: `YAML error: ${(error as Error).message}` });
    }
  }
  return { data, syntaxErrors, duplicateKeys, locate };
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "");
}
