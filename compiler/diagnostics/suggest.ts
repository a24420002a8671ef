/**
 * "Did you mean" suggestions: the closest candidates by Damerau-Levenshtein distance.
 */

/** The optimal-string-alignment edit distance between `a` and `b` (case-insensitive). */
export function editDistance(a: string, b: string): number {
  return osa(a.toLowerCase(), b.toLowerCase());
}

let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)] as const;

/** The optimal-string-alignment distance of `s` and `t` as they are, in three rolling rows reused between calls. */
function osa(s: string, t: string): number {
  const n = t.length;
  if (rows[0].length <= n) rows = [new Int32Array(2 * n + 2), new Int32Array(2 * n + 2), new Int32Array(2 * n + 2)];
  let [before, prev, cur] = rows;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    const si = s.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const tj = t.charCodeAt(j - 1);
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (si === tj ? 0 : 1));
      if (i > 1 && j > 1 && si === t.charCodeAt(j - 2) && s.charCodeAt(i - 2) === tj)
        best = Math.min(best, before[j - 2]! + 1);
      cur[j] = best;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[n]!;
}

/** The candidates closest to `word`, nearest first, at most `limit`, with no distance cap. */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const w = word.toLowerCase();
  const scored = [...new Set(candidates)].map((c) => ({ c, d: osa(w, c.toLowerCase()) }));
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, limit).map((x) => x.c);
}

/**
 * The one candidate close enough to be a likely misspelling of `word`, if any. A candidate whose length
 * differs by more than the limit is skipped unmeasured (the distance is at least the difference).
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of new Set(candidates)) {
    if (c === word) continue;
    const lc = c.toLowerCase();
    if (Math.abs(lc.length - w.length) > limit) continue;
    const d = osa(w, lc);
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean `x`?` for the closest candidate, or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(word, candidates);
  return s === undefined ? undefined : `did you mean \`${s}\`?`;
}

/** `a`, `a or b`, `a, b or c` with each item in backticks. */
export function orList(items: readonly string[]): string {
  const q = items.map((i) => `\`${i}\``);
  return q.length <= 1 ? (q[0] ?? "") : `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
}

/** `1 error`, `2 errors`: a count with its noun, plural where it needs one. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
