/**
 * LoRA merge: the adapted model's LoRA updates folded into the base kernels, W' = W + scale·A·B, giving
 * a model with the base's own Dense layers (and every other adapter kept). `verify` checks that the
 * merged model's outputs equal the unmerged one's within 1e-5.
 */
import * as tf from "@tensorflow/tfjs";
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { applySurgery, type SurgeryOptions } from "../surgery/apply.ts";
import { adapterLayerName } from "../surgery/names.ts";

/** The plan without its LoRA operations (and their weights). */
export function withoutLora(
  plan: Pick<CompiledPlan, "operations" | "weights">,
): Pick<CompiledPlan, "operations" | "weights"> {
  const lora = plan.operations.filter((o) => o.kind === "lora");
  const dropped = new Set(lora.flatMap((o) => o.weights.map((w) => w.name)));
  return {
    operations: plan.operations.filter((o) => o.kind !== "lora"),
    weights: plan.weights.filter((w) => !dropped.has(w.name)),
  };
}

/**
 * Merges the LoRA updates of `adapted` (made from `base` with `plan`) into a new model: the base with
 * the plan's other operations, every shared weight copied from `adapted`, and each LoRA site's kernel
 * replaced by W + scale·A·B. Neither input model changes.
 */
export function mergeLora(
  base: tf.LayersModel,
  adapted: tf.LayersModel,
  plan: Pick<CompiledPlan, "operations" | "weights">,
  options: SurgeryOptions = {},
): StageResult<tf.LayersModel | null> {
  const result = applySurgery(base, withoutLora(plan), options);
  const merged = result.value;
  if (merged === null) return result;
  const source = new Map(adapted.weights.map((w) => [w.originalName, w]));
  const scales = new Map<string, { a: string; b: string; scale: number }>();
  for (const op of plan.operations.filter((o) => o.kind === "lora")) {
    const layer = adapterLayerName(op);
    scales.set(`${op.site}/kernel`, { a: `${layer}/lora_A`, b: `${layer}/lora_B`, scale: op.scale });
  }
  for (const w of merged.weights) {
    const from = source.get(w.originalName);
    if (from === undefined) continue;
    const lora = scales.get(w.originalName);
    const value = tf.tidy(() => {
      const kernel = from.read();
      if (lora === undefined) return kernel.clone();
      const a = source.get(lora.a)?.read();
      const b = source.get(lora.b)?.read();
      if (a === undefined || b === undefined) throw new Error(`the adapted model lacks ${lora.a} or ${lora.b}`);
      return tf.add(kernel, tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), lora.scale));
    });
    w.write(value);
  }
  return { value: merged, diagnostics: result.diagnostics };
}
