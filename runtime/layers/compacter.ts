/**
 * The Compacter adapter (Karimi Mahabadi et al. 2021): a serial bottleneck y = h + up(act(down(h)))
 * whose projection weights are parameterised hypercomplex multiplications W = Σᵢ Aᵢ ⊗ (sᵢ·tᵢ), with
 * n "rules" Aᵢ [n, n] and rank-r factors sᵢ [p/n, r], tᵢ [r, q/n] for a [p, q] weight. Zero init makes
 * the up factors t zero, so step 0 is exactly the base model.
 */
import * as tf from "@tensorflow/tfjs";
import {
  activationFn,
  DOWN_STD_FOR_ZEROS,
  denseLastAxis,
  normalizeInit,
  truncatedNormal,
  type Activation,
  type InitConfig,
  type Kwargs,
  type Weight,
} from "./common.ts";

/** Arguments of {@link CompacterAdapter}. */
export interface CompacterArgs {
  d: number;
  size: number;
  activation: string;
  init: InitConfig;
  /** n, the number of Kronecker factors (divides d and size). */
  phm: number;
  /** r, the rank of each factor. */
  rank: number;
  seed?: number;
  name?: string;
  trainable?: boolean;
}

interface Phm {
  rule: Weight;
  left: Weight;
  right: Weight;
  bias: Weight;
}

/** Σᵢ Aᵢ ⊗ (sᵢ·tᵢ) for rules [n, n, n], left [n, p, r], right [n, r, q]: a [n·p, n·q] weight. */
export function phmWeight(rule: tf.Tensor, left: tf.Tensor, right: tf.Tensor): tf.Tensor2D {
  const [n, p] = left.shape as [number, number, number];
  const q = right.shape[2] as number;
  const b = tf.matMul(left as tf.Tensor3D, right as tf.Tensor3D);
  const a5 = tf.reshape(rule, [n, n, 1, n, 1]);
  const b5 = tf.reshape(b, [n, 1, p, 1, q]);
  return tf.reshape(tf.sum(tf.mul(a5, b5), 0), [n * p, n * q]);
}

/** The Compacter layer. */
export class CompacterAdapter extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "CompacterAdapter";
  readonly d: number;
  readonly size: number;
  readonly activation: string;
  readonly init: InitConfig;
  readonly phm: number;
  readonly rank: number;
  readonly seed: number;
  private readonly act: Activation;
  private down: Phm | null = null;
  private up: Phm | null = null;

  constructor(args: CompacterArgs) {
    super(args);
    this.d = args.d;
    this.size = args.size;
    this.activation = args.activation;
    this.init = normalizeInit(args.init);
    this.phm = args.phm;
    this.rank = args.rank;
    this.seed = args.seed ?? 0;
    this.act = activationFn(args.activation);
  }

  private projection(prefix: string, p: number, q: number, std: number, zeroRight: boolean, seed: number): Phm {
    const { phm: n, rank: r } = this;
    const factorStd = Math.sqrt(std / Math.sqrt(n * r));
    return {
      rule: this.addWeight(`${prefix}/phm_rule`, [n, n, n], "float32", truncatedNormal(1, seed)),
      left: this.addWeight(`${prefix}/left`, [n, p / n, r], "float32", truncatedNormal(factorStd, seed + 1)),
      right: this.addWeight(
        `${prefix}/right`,
        [n, r, q / n],
        "float32",
        zeroRight ? tf.initializers.zeros() : truncatedNormal(factorStd, seed + 2),
      ),
      bias: this.addWeight(`${prefix}/bias`, [q], "float32", tf.initializers.zeros()),
    };
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const zeros = this.init.kind === "zeros";
    this.down = this.projection(
      "down",
      this.d,
      this.size,
      zeros ? DOWN_STD_FOR_ZEROS : this.init.std,
      false,
      this.seed,
    );
    this.up = this.projection("up", this.size, this.d, this.init.std, zeros, this.seed + 10);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const h = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      if (this.down === null || this.up === null) throw new Error(`${this.name} is not built`);
      const apply = (x: tf.Tensor, w: Phm) =>
        denseLastAxis(x, phmWeight(w.rule.read(), w.left.read(), w.right.read()), w.bias.read());
      return tf.add(h, apply(this.act(apply(h, this.down)), this.up));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      d: this.d,
      size: this.size,
      activation: this.activation,
      init: { kind: this.init.kind, std: this.init.std },
      phm: this.phm,
      rank: this.rank,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(CompacterAdapter);
