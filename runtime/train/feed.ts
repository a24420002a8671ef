/**
 * How a batch reaches a model: each model input gets a role (token ids, attention mask, token type
 * ids) from its name, and the loss suits the head (softmax cross-entropy on logits or probabilities,
 * mean squared error for regression).
 */
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { Batch } from "../tokenize/batches.ts";
import type { TaskShape } from "../data/load.ts";

/** What a model input carries. */
export type InputRole = "ids" | "mask" | "types";

/** The role of each model input, from its name; one input alone is the token ids. */
export function inputRoles(model: tf.LayersModel): StageResult<InputRole[] | null> {
  const names = model.inputs.map((t) => t.name.toLowerCase());
  if (names.length === 1) return { value: ["ids"], diagnostics: [] };
  const roles = names.map((n): InputRole | null =>
    /mask/.test(n) ? "mask" : /type|segment/.test(n) ? "types" : /id|token|input/.test(n) ? "ids" : null,
  );
  if (roles.includes(null) || !roles.includes("ids")) {
    const msg = `the model's inputs (${model.inputs.map((t) => t.name).join(", ")}) cannot be matched to token ids, attention mask and token types`;
    return { value: null, diagnostics: [diag("ADAPT915", FILE_START, msg)] };
  }
  return { value: roles as InputRole[], diagnostics: [] };
}

/** The input tensors of one batch, in the model's input order. */
export function feedFor(model: tf.LayersModel, roles: readonly InputRole[], batch: Batch): tf.Tensor[] {
  return roles.map((role, i) => {
    const data = role === "ids" ? batch.ids : role === "mask" ? batch.mask : batch.typeIds;
    const dtype = model.inputs[i]!.dtype === "float32" ? "float32" : "int32";
    return tf.tensor2d(dtype === "float32" ? Float32Array.from(data) : data, [batch.size, batch.length], dtype);
  });
}

/** True when the model's last layer already applies a softmax (its output is probabilities). */
export function outputsProbabilities(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  const config = last?.getConfig() as { activation?: unknown } | undefined;
  return config?.activation === "softmax";
}

/** The mean loss of a batch: cross-entropy for a classifier, squared error for regression. */
export function lossOf(task: TaskShape, probabilities: boolean, output: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const out = output.reshape([output.shape[0]!, -1]);
    if (task.kind === "regression") return out.squeeze([1]).sub(labels).square().mean() as tf.Scalar;
    const onehot = tf.oneHot(labels.toInt(), task.classes);
    const logp = probabilities ? out.clipByValue(1e-7, 1).log() : tf.logSoftmax(out);
    return logp.mul(onehot).sum(1).mean().neg() as tf.Scalar;
  });
}

/**
 * Predictions of a batch's output as a float32 tensor (the caller reads it asynchronously and disposes
 * it): class indices, or values for regression.
 */
export function predictionsOf(task: TaskShape, output: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const out = output.reshape([output.shape[0]!, -1]);
    return (task.kind === "regression" ? out.squeeze([1]) : out.argMax(1).toFloat()) as tf.Tensor1D;
  });
}
