/**
 * `for await` over a list endpoint's pages `{entities, page, pageSize, total}`. Pages are
 * asked for in order from 1; it stops on a short or empty page or once page·pageSize ≥ total, so
 * nothing is skipped or read twice (a loop that stops at a short page skips the rest).
 */
import { BugError } from "../errors.js";
import type { Page } from "./types.js";

export const MAX_PAGE_SIZE = 100;

export async function* paginatePages<T>(
  fetchPage: (page: number, pageSize: number) => Promise<Page<T>>,
  pageSize: number = MAX_PAGE_SIZE,
): AsyncGenerator<T, void, undefined> {
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(pageSize)));
  for (let page = 1; ; page += 1) {
    const result = await fetchPage(page, size);
    if (!result || !Array.isArray(result.entities))
      throw new BugError(`page ${page} of the list has no "entities" array`);
    yield* result.entities;
    // The server may clamp pageSize: compare with what it actually used.
    const served = typeof result.pageSize === "number" && result.pageSize > 0 ? result.pageSize : size;
    const total = typeof result.total === "number" ? result.total : Number.POSITIVE_INFINITY;
    if (result.entities.length === 0 || result.entities.length < served || page * served >= total) return;
  }
}
