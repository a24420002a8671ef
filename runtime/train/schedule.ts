/**
 * Learning-rate schedules: `constant` and `linear` (decay to zero at the last step), both with an
 * optional linear warmup given as a fraction of all steps (< 1) or a step count (>= 1).
 */
import type { TrainingPlanIR } from "../../compiler/ir/types.ts";

/** The number of warmup steps of a schedule over `total` steps. */
export function warmupSteps(warmup: number, total: number): number {
  return warmup < 1 ? Math.round(warmup * total) : Math.min(Math.round(warmup), total);
}

/** The learning rate of 0-based step `step` of `total`. */
export function learningRate(schedule: TrainingPlanIR["schedule"], base: number, step: number, total: number): number {
  const warm = warmupSteps(schedule.warmup, total);
  if (step < warm) return (base * (step + 1)) / warm;
  if (schedule.kind === "constant") return base;
  const rest = total - warm;
  return rest <= 0 ? base : base * Math.max(0, (total - step) / rest);
}
