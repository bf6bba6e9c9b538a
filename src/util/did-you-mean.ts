// "did you mean …?" for a mistyped name: the closest known name by edit distance, ignoring case,
// when it is close enough to be the likely intent (a typo, a wrong capitalization, a longer
// spelling of the same word as "integer" for "int").

/** Levenshtein distance (insert, delete, substitute, and swapping two neighbours: one edit each). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name `name` most likely meant, or undefined when none is close: at most a third of its
 * length (and 3) edits away, or one of the two starting the other (3 letters at least).
 */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const k of known) {
    if (k === name) continue;
    const other = k.toLowerCase();
    const prefix = Math.min(lower.length, other.length) >= 3 && (lower.startsWith(other) || other.startsWith(lower));
    const distance = prefix ? Math.min(limit, editDistance(lower, other)) : editDistance(lower, other);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name: k, distance };
  }
  return best?.name;
}

/** ' (did you mean "goldPerWave"?)', or '' when nothing known is close. */
export function didYouMean(name: string, known: Iterable<string>, show: (s: string) => string = (s) => `"${s}"`): string {
  const match = closest(name, known);
  return match === undefined ? '' : ` (did you mean ${show(match)}?)`;
}
