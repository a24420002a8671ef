/**
 * A Dense layer with a fast path for frozen kernels. tfjs's Dense goes through fused matMul, whose
 * gradient computes the gradients of the input, the kernel and the bias together, even when the kernel
 * is frozen. While this layer's kernel is not trainable, its matMul is a custom op whose gradient is
 * only dy·Wᵀ (the input's); the bias is added outside it (so BitFit-style bias training still works).
 * With a trainable kernel it computes exactly what Dense computes. Weights are `kernel` and `bias`, as
 * in Dense, so it is a drop-in replacement during surgery.
 */
import * as tf from "@tensorflow/tfjs";
import { activationFn, denseLastAxis, type Activation, type Kwargs, type Weight } from "./common.ts";

/** Arguments of {@link FrozenDense}: the subset of Dense's config it needs. */
export interface FrozenDenseArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
  name?: string;
  trainable?: boolean;
  inputDim?: number;
  batchInputShape?: tf.Shape;
}

/**
 * x·W (+ b) with a gradient for x only (W and b are treated as constants). The bias goes into the fused
 * product (each sum starts from it; on wasm no Add pass follows), and no pre-bias product is kept for an
 * Add's gradient.
 */
export function frozenMatMul(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const nOut = kernel.shape[1] as number;
  const nIn = kernel.shape[0] as number;
  const op = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    return {
      value: tf.tidy(() => denseLastAxis(input, kernel, bias)),
      gradFunc: (g: tf.Tensor) => {
        const dx = tf.matMul(tf.reshape(g, [-1, nOut]) as tf.Tensor2D, kernel as tf.Tensor2D, false, true);
        return tf.reshape(dx, [...input.shape.slice(0, -1), nIn]);
      },
    };
  });
  return op(x);
}

/** Dense with a frozen-kernel fast path. */
export class FrozenDense extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "FrozenDense";
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  private readonly act: Activation;
  private kernel: Weight | null = null;
  private bias: Weight | null = null;

  constructor(args: FrozenDenseArgs) {
    super(args);
    this.units = args.units;
    this.activation = args.activation ?? "linear";
    this.useBias = args.useBias ?? true;
    this.act = activationFn(this.activation);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const nIn = shape[shape.length - 1] as number;
    this.kernel = this.addWeight("kernel", [nIn, this.units], "float32", tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight("bias", [this.units], "float32", tf.initializers.zeros());
    this.built = true;
  }

  /** True while the kernel gets no gradient (the fast path is taken). */
  get kernelFrozen(): boolean {
    return !this.trainable || this.kernel === null || !this.kernel.trainable;
  }

  /** True while the bias (if any) gets no gradient either. */
  get biasFrozen(): boolean {
    return !this.trainable || this.bias === null || !this.bias.trainable;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      if (this.kernel === null) throw new Error(`${this.name} is not built`);
      const bias = this.bias?.read();
      if (!this.kernelFrozen) return this.act(denseLastAxis(x, this.kernel.read(), bias));
      if (this.biasFrozen) return this.act(frozenMatMul(x, this.kernel.read(), bias));
      const y = frozenMatMul(x, this.kernel.read());
      return this.act(bias === undefined ? y : tf.add(y, bias));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias };
  }
}
tf.serialization.registerClass(FrozenDense);
