/**
 * LoRA (Hu et al. 2021) on a Dense kernel W [n_in, n_out]: inputs `[x, h]` where `h = x·W + b` is the
 * (linear) output of the frozen Dense layer, y = act(h + (alpha/r)·dropout(x)·A·B). A [n_in, r] is drawn
 * like PEFT's (uniform in ±1/sqrt(n_in)), B [r, n_out] starts at zero, so step 0 is exactly the base.
 * The update merges into the kernel: W' = W + scale·A·B (see runtime/artifact/merge.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { activationFn, denseLastAxis, type Activation, type Kwargs, type Weight } from "./common.ts";

/** Arguments of {@link LoraAdapter}. */
export interface LoraArgs {
  /** The Dense kernel's input and output sizes. */
  nIn: number;
  nOut: number;
  rank: number;
  /** alpha / rank. */
  scale: number;
  dropout: number;
  /** The Dense layer's own activation, applied after the update ("linear" for none). */
  activation?: string;
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/** The LoRA branch added to a Dense layer's pre-activation output. */
export class LoraAdapter extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "LoraAdapter";
  readonly nIn: number;
  readonly nOut: number;
  readonly rank: number;
  readonly scale: number;
  readonly dropout: number;
  readonly activation: string;
  readonly seed: number;
  private readonly act: Activation;
  private a: Weight | null = null;
  private b: Weight | null = null;

  constructor(args: LoraArgs) {
    super(args);
    this.nIn = args.nIn;
    this.nOut = args.nOut;
    this.rank = args.rank;
    this.scale = args.scale;
    this.dropout = args.dropout;
    this.activation = args.activation ?? "linear";
    this.seed = args.seed ?? 0;
    this.act = activationFn(this.activation);
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const limit = 1 / Math.sqrt(this.nIn);
    const aInit = tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: this.seed });
    this.a = this.addWeight("lora_A", [this.nIn, this.rank], "float32", aInit);
    this.b = this.addWeight("lora_B", [this.rank, this.nOut], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[1] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, h] = inputs as tf.Tensor[];
      if (x === undefined || h === undefined || this.a === null || this.b === null) {
        throw new Error("LoraAdapter expects [input, output] and must be built");
      }
      const training = kwargs["training"] === true;
      const xd = training && this.dropout > 0 ? tf.dropout(x, this.dropout) : x;
      const update = denseLastAxis(denseLastAxis(xd, this.a.read()), this.b.read());
      return this.act(tf.add(h, tf.mul(update, this.scale)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      nIn: this.nIn,
      nOut: this.nOut,
      rank: this.rank,
      scale: this.scale,
      dropout: this.dropout,
      activation: this.activation,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(LoraAdapter);
