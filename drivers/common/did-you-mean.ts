/**
 * "did you mean city?" for a mistyped subcommand or option. A plain edit distance (insert, delete,
 * substitute, and swapping two neighbours, the commonest typo) over a handful of names; no package
 * for it (the only one in node_modules comes with the linter, not with hallq).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The one candidate closest to `word`, if it is close enough to be a typo of it: at most a third of
 * its letters off (at least one), or `word` a prefix of exactly one candidate (`hallq sim` → simulate).
 * Ties are no suggestion: guessing between two would mislead.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  if (w === '') return undefined;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w));
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  let tie = false;
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (dist < bestD) {
      best = c;
      bestD = dist;
      tie = false;
    } else if (dist === bestD) tie = true;
  }
  return bestD <= limit && !tie ? best : undefined;
}

/**
 * Every candidate as close to `word` as the closest, when close enough to be a typo (the limit of
 * `closest`): `sped` → speed and seed, a tie `closest` will not choose in; the reader picks.
 */
export function closestAll(word: string, candidates: readonly string[]): string[] {
  const one = closest(word, candidates);
  if (one !== undefined) return [one];
  const w = word.toLowerCase();
  if (w === '') return [];
  const limit = Math.max(1, Math.floor(w.length / 3));
  const dists = candidates.map((c) => ({ c, d: editDistance(w, c.toLowerCase()) }));
  const best = Math.min(...dists.map((x) => x.d));
  return best <= limit ? dists.filter((x) => x.d === best).map((x) => x.c) : [];
}
