/**
 * Promotion in a project file: which overrides are environment-specific (`promote: false`), and the
 * rewrite of one environment's block from another's through the `yaml` library's document API, so
 * comments, key order, quoting and placeholders (`${env:…}`) stay as written. Data in, text out: the CLI
 * reads and writes the file.
 */
import { isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";

function itemName(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get("name");
  return typeof name === "string" ? name : undefined;
}

function overridesOf(action: unknown): YAMLMap | undefined {
  if (!isMap(action)) return undefined;
  const overrides = action.get("overrides", true);
  return isMap(overrides) ? overrides : undefined;
}

function items(overrides: YAMLMap | undefined, env: string): YAMLSeq | undefined {
  const list = overrides?.get(env, true);
  return isSeq(list) ? list : undefined;
}

/**
 * Per action name, the override names marked `promote: false` in either environment: they are never
 * copied from `from` nor replaced or pruned in `to`.
 */
export function protectedOverrideNames(
  text: string,
  environments: readonly string[],
): Record<string, string[]> {
  const doc = parseDocument(text);
  const actions = doc.get("actions", true);
  const found: Record<string, string[]> = {};
  if (!isMap(actions)) return found;
  for (const pair of actions.items) {
    const actionName = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const overrides = overridesOf(pair.value);
    const names = new Set<string>();
    for (const env of environments)
      for (const item of items(overrides, env)?.items ?? [])
        if (isMap(item) && item.get("promote") === false) {
          const name = itemName(item);
          if (name !== undefined) names.add(name);
        }
    if (names.size > 0) found[actionName] = [...names].sort();
  }
  return found;
}

export interface FilePromotionOptions {
  from: string;
  to: string;
  /** Action names; every action of the file when absent. */
  actions?: readonly string[];
  only?: readonly string[];
  prune?: boolean;
}

export interface FilePromotion {
  /** The new file text (equal to the input when nothing changes). */
  text: string;
  /** Per action name, the names copied into `to` and removed from it. */
  changes: { action: string; copied: string[]; removed: string[] }[];
  /** Action names asked for that the file does not have. */
  unknownActions: string[];
  /** `only` names that no promoted action has in `from`. */
  missing: string[];
}

/**
 * Rewrites each action's `overrides.<to>` from `overrides.<from>`: items upserted by name (the source's
 * node, comments and placeholders included), protected ones (`promote: false` on either side) left
 * alone, and with `prune` the target's items the source lacks removed.
 */
export function promoteInProjectFile(text: string, options: FilePromotionOptions): FilePromotion {
  const doc = parseDocument(text);
  const actions = doc.get("actions", true);
  const changes: FilePromotion["changes"] = [];
  const seenActions = new Set<string>();
  const sourceNames = new Set<string>();
  const only = options.only ? new Set(options.only) : undefined;
  if (isMap(actions)) {
    for (const pair of actions.items) {
      const actionName = String((pair.key as { value?: unknown })?.value ?? pair.key);
      if (options.actions && !options.actions.includes(actionName)) continue;
      seenActions.add(actionName);
      const overrides = overridesOf(pair.value);
      const source = items(overrides, options.from);
      if (!overrides || !source) continue;
      const isProtected = (item: unknown) => isMap(item) && item.get("promote") === false;
      const target = items(overrides, options.to);
      const protectedNames = new Set(
        [...source.items, ...(target?.items ?? [])].filter(isProtected).map(itemName),
      );
      const copied: string[] = [];
      const removed: string[] = [];
      let list = target;
      for (const item of source.items) {
        const name = itemName(item);
        if (name === undefined) continue;
        sourceNames.add(name);
        if ((only && !only.has(name)) || protectedNames.has(name)) continue;
        if (!list) {
          list = doc.createNode([]) as YAMLSeq;
          overrides.set(options.to, list);
        }
        const at = list.items.findIndex((existing) => itemName(existing) === name);
        const clone = (item as YAMLMap).clone() as YAMLMap;
        if (at >= 0) {
          const replaced = list.items[at] as YAMLMap;
          if (JSON.stringify(replaced.toJSON()) === JSON.stringify(clone.toJSON())) continue;
          // The target line's own comments stay with it; the value comes from the source.
          if (replaced.comment !== undefined) clone.comment = replaced.comment;
          if (replaced.commentBefore !== undefined) clone.commentBefore = replaced.commentBefore;
          list.items[at] = clone;
        } else list.items.push(clone);
        copied.push(name);
      }
      if (options.prune && list) {
        const keep = new Set(source.items.map(itemName));
        list.items = list.items.filter((item) => {
          const name = itemName(item);
          if (name === undefined || keep.has(name) || protectedNames.has(name)) return true;
          if (only && !only.has(name)) return true;
          removed.push(name);
          return false;
        });
      }
      if (copied.length + removed.length > 0) changes.push({ action: actionName, copied, removed });
    }
  }
  return {
    text:
      changes.length > 0
        ? // Flow maps keep the padding the file uses ({a: 1} or { a: 1 }).
          doc.toString({ lineWidth: 0, flowCollectionPadding: /\{ \S/.test(text) || !/\{\S/.test(text) })
        : text,
    changes,
    unknownActions: (options.actions ?? []).filter((name) => !seenActions.has(name)),
    missing: (options.only ?? []).filter((name) => !sourceNames.has(name)),
  };
}
