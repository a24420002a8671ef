/**
 * The metrics of the paper's tables: accuracy, F1 (binary: of class 1; more classes: macro), Matthews
 * correlation (multi-class form), Pearson and Spearman correlation for regression. Plain numbers in,
 * plain numbers out; an undefined value (e.g. a constant prediction's correlation) is 0.
 */

/** The metric names `metric` and `select best by` accept (plus `loss`). */
export const METRICS = ["accuracy", "f1", "mcc", "pearson", "spearman"] as const;

/** Fraction of predictions equal to the labels. */
export function accuracy(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < gold.length; i++) if (pred[i] === gold[i]) hit++;
  return gold.length === 0 ? 0 : hit / gold.length;
}

function confusion(pred: ArrayLike<number>, gold: ArrayLike<number>, classes: number): number[][] {
  const c = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < gold.length; i++) c[gold[i]!]![pred[i]!]! += 1;
  return c;
}

/** F1 of class 1 for two classes, the unweighted mean over classes otherwise. */
export function f1(pred: ArrayLike<number>, gold: ArrayLike<number>, classes: number): number {
  const c = confusion(pred, gold, classes);
  const f1Of = (k: number): number => {
    const tp = c[k]![k]!;
    const predicted = c.reduce((s, row) => s + row[k]!, 0);
    const actual = c[k]!.reduce((s, x) => s + x, 0);
    return predicted + actual === 0 ? 0 : (2 * tp) / (predicted + actual);
  };
  if (classes === 2) return f1Of(1);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += f1Of(k);
  return sum / classes;
}

/** Matthews correlation coefficient (Gorodkin's multi-class form; the usual MCC for two classes). */
export function mcc(pred: ArrayLike<number>, gold: ArrayLike<number>, classes: number): number {
  const c = confusion(pred, gold, classes);
  const n = gold.length;
  let correct = 0;
  const t = new Array<number>(classes).fill(0);
  const p = new Array<number>(classes).fill(0);
  for (let k = 0; k < classes; k++) {
    correct += c[k]![k]!;
    for (let j = 0; j < classes; j++) ((t[k]! += c[k]![j]!), (p[j]! += c[k]![j]!));
  }
  const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
  const den = Math.sqrt((n * n - dot(p, p)) * (n * n - dot(t, t)));
  return den === 0 ? 0 : (correct * n - dot(t, p)) / den;
}

/** Pearson correlation. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return 0;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) ((mx += x[i]!), (my += y[i]!));
  mx /= n;
  my /= n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx,
      dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Ranks with ties given their average rank (1-based). */
export function ranks(x: ArrayLike<number>): number[] {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]!] === x[order[i]!]) j++;
    for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

/** Computes the named metrics from predictions (class indices, or values for regression). */
export function computeMetrics(
  names: readonly string[],
  pred: ArrayLike<number>,
  gold: ArrayLike<number>,
  classes: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    if (name === "accuracy") out[name] = accuracy(pred, gold);
    else if (name === "f1") out[name] = f1(pred, gold, classes);
    else if (name === "mcc") out[name] = mcc(pred, gold, classes);
    else if (name === "pearson") out[name] = pearson(pred, gold);
    else if (name === "spearman") out[name] = spearman(pred, gold);
  }
  return out;
}
