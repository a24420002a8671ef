/**
 * What `adapt explain` and `adapt compile` show for a sweep spec: every point (id, variant, axis values,
 * trainable parameters and their percentage of the base), and stage 2 of `seed ... for best` as such.
 */
import { pointIdentity, type CompiledPoint, type SweepOutcome } from "../../compiler/sweep/compile-sweep.ts";
import { table } from "../../compiler/lower/explain.ts";

/** One point as `explain --json` lists it. */
function pointJson(p: CompiledPoint) {
  return {
    ...pointIdentity(p),
    seed: p.source.seed ?? p.plan.plan?.seed ?? null,
    output: p.plan.plan?.output ?? null,
    params: p.plan.totals,
  };
}

/** `explain --json` of a sweep. */
export function sweepExplainJson(o: SweepOutcome) {
  const seeds = o.expansion?.stage2Seeds ?? [];
  return {
    variants: (o.expansion?.variants ?? []).map((v) => ({
      name: v.name,
      series: v.series,
      member: v.member,
      axes: v.axes.map((a) => ({ name: a.name, key: a.key, values: a.options.map((x) => x.value) })),
    })),
    points: o.points.map(pointJson),
    stage2: seeds.length > 0 ? { seeds, of: "the selected configuration of each variant" } : null,
  };
}

/** The readable `explain` of a sweep. */
export function sweepExplainText(o: SweepOutcome): string {
  const names = [...new Set(o.points.flatMap((p) => Object.keys(p.source.axes)))];
  const rows = o.points.map((p) => [
    p.source.id,
    p.source.variant,
    ...names.map((n) => (n in p.source.axes ? String(p.source.axes[n]) : "-")),
    p.plan.totals.trainable,
    p.plan.totals.trainablePercent.toFixed(4),
  ]);
  const variants = o.expansion?.variants.length ?? 0;
  const out = [
    `sweep: ${o.points.length} point${o.points.length === 1 ? "" : "s"} in ${variants} variant${variants === 1 ? "" : "s"}${o.expansion?.output ? `, into ${o.expansion.output}/points/` : ""}`,
    "",
    table(["point", "variant", ...names, "trainable", "% of base"], rows),
  ];
  const seeds = o.expansion?.stage2Seeds ?? [];
  if (seeds.length > 0) {
    const n = new Set(o.points.map((p) => p.source.variant)).size * seeds.length;
    out.push(
      "",
      `stage 2: seed${seeds.length === 1 ? "" : "s"} ${seeds.join(", ")} of the best configuration of each variant (${n} more point${n === 1 ? "" : "s"}, chosen on ${o.points[0]?.plan.plan?.select ? `${o.points[0].plan.plan.select.split}.${o.points[0].plan.plan.select.metric}` : "the first metric"})`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** `adapt compile` of a sweep: one plan per point, in point order. */
export function sweepPlans(o: SweepOutcome): { point: string; plan: CompiledPoint["plan"] }[] {
  return o.points.map((p) => ({ point: p.source.id, plan: p.plan }));
}
