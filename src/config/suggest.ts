// "Did you mean ...?" for unknown keys: a typo, or camelCase/kebab-case for our snake_case.

/** Levenshtein distance: the fewest single-character edits that turn a into b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Lowercase without '_' and '-', so maxEntries, max-entries and max_entries look alike. */
const squash = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

/** The known key closest to `key`, when it is close enough to be a likely typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const sameWord = known.find((k) => squash(k) === squash(key));
  if (sameWord) return sameWord;
  const limit = Math.min(2, Math.floor(key.length / 2));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(squash(key), squash(candidate));
    if (distance <= limit && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}
