/**
 * Fixed number formatting for the report, independent of the locale, so the same results always give
 * the same bytes: metrics in points (x100, one decimal) except `loss` (four decimals), parameter counts
 * with thousands separators, percentages with three significant digits, durations in s / min / h.
 */
import type { Stat } from "./sweep-files.ts";

/** True for metrics reported in points (x100): every metric but `loss`. */
export function inPoints(metric: string): boolean {
  return metric !== "loss";
}

/** A metric value on the report's scale (points for all but loss). */
export function scaled(value: number, metric: string): number {
  return inPoints(metric) ? value * 100 : value;
}

/** A metric value as text: `92.1` (points) or `0.2513` (loss). */
export function metricText(value: number, metric: string): string {
  return fixed(scaled(value, metric), inPoints(metric) ? 1 : 4);
}

/** `92.1 ± 0.3` for a statistic over seeds. */
export function statText(s: Stat, metric: string): string {
  return `${metricText(s.mean, metric)} ± ${metricText(s.std, metric)}`;
}

/** A signed difference in points: `+0.4`, `-1.2`, `0.0`. */
export function signedText(points: number, metric: string): string {
  const t = fixed(points, inPoints(metric) ? 1 : 4);
  return /^0\.0*$/.test(t) ? t : points > 0 ? `+${t}` : t;
}

/** `toFixed` without `-0.0`. */
export function fixed(x: number, digits: number): string {
  const t = x.toFixed(digits);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

/** `22,713,216`. */
export function countText(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return `${n < 0 ? "-" : ""}${s.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
}

/** A percentage with three significant digits: `0.379%`, `2.81%`, `100%`. */
export function percentText(p: number): string {
  if (p === 0) return "0%";
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(p))));
  return `${Number(p.toFixed(Math.min(digits, 6))).toString()}%`;
}

/** `48 s`, `4 min 12 s`, `2 h 05 min`. */
export function secondsText(s: number): string {
  const t = Math.round(s);
  if (t < 60) return `${s < 10 ? fixed(s, 1) : String(t)} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, "0")} s`;
  const min = Math.round(t / 60);
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
}

/** An axis value as the configuration column shows it: numbers in their shortest form, lists as JSON. */
export function axisText(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** A Markdown table cell: pipes escaped, line breaks removed. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}
