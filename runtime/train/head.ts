/**
 * The task head on top of an (adapted) encoder: pooling (`cls`: the first token; `mean`: the mean over
 * the attention mask), dropout, and a dense layer giving logits (classes) or one value (regression).
 * Layer names follow the IR's head weights (default `head.dense`), so artifacts can name them.
 */
import * as tf from "@tensorflow/tfjs";
import type { HeadIR } from "../../compiler/ir/types.ts";
import { FirstToken } from "../bert/layers.ts";
import { withSeededRandom } from "./prng.ts";

type Sym = tf.SymbolicTensor;

/** Masked mean over the sequence: `[batch, seq, d]` and a `[batch, seq]` mask to `[batch, d]`. */
export class MaskedMeanPool extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "MaskedMeanPool";

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (inputShape as tf.Shape[])[0]!;
    return [shape[0] ?? null, shape[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask] = inputs as [tf.Tensor3D, tf.Tensor2D];
      const m = mask.toFloat().expandDims(2);
      return x.mul(m).sum(1).div(m.sum(1).maximum(1));
    });
  }
}
tf.serialization.registerClass(MaskedMeanPool);

/** The name of the head's output layer (from the IR's weight names, else `head.dense`). */
export function headLayerName(head: HeadIR): string {
  const first = head.weights[0]?.name;
  return first !== undefined && first.includes("/") ? first.slice(0, first.lastIndexOf("/")) : "head.dense";
}

function encoderOutput(model: tf.LayersModel, head: HeadIR): Sym {
  try {
    const out = model.getLayer(head.input).output;
    return (Array.isArray(out) ? out[0] : out) as Sym;
  } catch {
    return model.outputs[0]!;
  }
}

/** A new model: the encoder's inputs, the head's output. The head's initial weights come from `seed`. */
export function attachHead(model: tf.LayersModel, head: HeadIR, seed: number): tf.LayersModel {
  return withSeededRandom(seed, () => {
    let h = encoderOutput(model, head);
    if (h.shape.length === 3) {
      const maskIndex = model.inputs.findIndex((t) => /mask/i.test(t.name));
      const pool =
        head.pool === "cls"
          ? new FirstToken({ name: "head.pool" })
          : maskIndex >= 0
            ? new MaskedMeanPool({ name: "head.pool" })
            : tf.layers.globalAveragePooling1d({ name: "head.pool" });
      h = pool.apply(pool instanceof MaskedMeanPool ? [h, model.inputs[maskIndex]!] : h) as Sym;
    }
    if (head.dropout > 0) h = tf.layers.dropout({ name: "head.dropout", rate: head.dropout }).apply(h) as Sym;
    const units = head.kind === "regression" ? 1 : head.classes;
    const out = tf.layers.dense({ name: headLayerName(head), units }).apply(h) as Sym;
    return tf.model({ name: `${model.name}_head`, inputs: model.inputs, outputs: out });
  });
}
