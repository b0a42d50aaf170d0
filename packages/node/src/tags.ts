/**
 * The registry's tag rule: a search by tags must find at most one dataset per node, so one
 * dataset's tags may neither equal nor contain nor be contained in another's.
 */

/** Returns whether the tag sets `a` and `b` conflict (equal, or one a subset of the other). */
export function tagsConflict(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  const aInB = [...setA].every((tag) => setB.has(tag));
  const bInA = [...setB].every((tag) => setA.has(tag));
  return aInB || bInA;
}

/** Returns whether a dataset with tags `datasetTags` answers a search for `searchTags` (all present). */
export function tagsMatch(datasetTags: readonly string[], searchTags: readonly string[]): boolean {
  const set = new Set(datasetTags);
  return searchTags.every((tag) => set.has(tag));
}

/** Trims, drops empties and duplicates; order kept. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag.length > 0))];
}
