/**
 * The bottleneck adapter (Houlsby et al. 2019) in its serial and parallel forms (He et al. 2022):
 * down-projection d->m, activation, up-projection m->d. Serial: y = h + up(act(down(h))). Parallel:
 * inputs `[x, h]` (the site's input and output), y = h + scale * up(act(down(x))).
 */
import * as tf from "@tensorflow/tfjs";
import {
  activationFn,
  DOWN_STD_FOR_ZEROS,
  denseLastAxis,
  truncatedNormal,
  type Activation,
  type InitConfig,
  type Kwargs,
  type Weight,
  normalizeInit,
} from "./common.ts";

/** Arguments of the bottleneck layers. */
export interface BottleneckArgs {
  /** Feature size d of the site (input of down, output of up). */
  d: number;
  /** Bottleneck size m. */
  size: number;
  activation: string;
  init: InitConfig;
  /** parallel: factor on the adapter's output; 1 for serial. */
  scale?: number;
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/** The serial bottleneck adapter: y = h + up(act(down(h))). */
export class BottleneckAdapter extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "BottleneckAdapter";
  readonly d: number;
  readonly size: number;
  readonly activation: string;
  readonly init: InitConfig;
  readonly scale: number;
  readonly seed: number;
  private readonly act: Activation;
  private weightsOf: { downK: Weight; downB: Weight; upK: Weight; upB: Weight } | null = null;

  constructor(args: BottleneckArgs) {
    super(args);
    this.d = args.d;
    this.size = args.size;
    this.activation = args.activation;
    this.init = normalizeInit(args.init);
    this.scale = args.scale ?? 1;
    this.seed = args.seed ?? 0;
    this.act = activationFn(args.activation);
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const { d, size: m } = this;
    const zeros = this.init.kind === "zeros";
    const downStd = zeros ? DOWN_STD_FOR_ZEROS : this.init.std;
    const upInit = zeros ? tf.initializers.zeros() : truncatedNormal(this.init.std, this.seed + 1);
    this.weightsOf = {
      downK: this.addWeight("down/kernel", [d, m], "float32", truncatedNormal(downStd, this.seed)),
      downB: this.addWeight("down/bias", [m], "float32", tf.initializers.zeros()),
      upK: this.addWeight("up/kernel", [m, d], "float32", upInit),
      upB: this.addWeight("up/bias", [d], "float32", tf.initializers.zeros()),
    };
    this.built = true;
  }

  /** up(act(down(x))) for the input `x`. */
  protected branch(x: tf.Tensor): tf.Tensor {
    const w = this.weightsOf;
    if (w === null) throw new Error(`${this.name} is not built`);
    const hidden = this.act(denseLastAxis(x, w.downK.read(), w.downB.read()));
    return denseLastAxis(hidden, w.upK.read(), w.upB.read());
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const h = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      return tf.add(h, this.branch(h));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      d: this.d,
      size: this.size,
      activation: this.activation,
      init: { kind: this.init.kind, std: this.init.std },
      scale: this.scale,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(BottleneckAdapter);

/** The parallel adapter: inputs `[x, h]`, y = h + scale * up(act(down(x))). */
export class ParallelAdapter extends BottleneckAdapter {
  /** The tfjs class name used in saved models. */
  static override className = "ParallelAdapter";

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[1] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, h] = inputs as tf.Tensor[];
      if (x === undefined || h === undefined) throw new Error("ParallelAdapter expects [input, output]");
      const y = this.branch(x);
      return tf.add(h, this.scale === 1 ? y : tf.mul(y, this.scale));
    });
  }
}
tf.serialization.registerClass(ParallelAdapter);
