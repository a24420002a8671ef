/**
 * Runtime of kind `ia3`: an {@link Ia3Adapter} scaling the site's output. On a linear Dense site it
 * merges: (x·W + b) ⊙ l = x·(W·diag(l)) + b ⊙ l.
 */
import * as tf from "@tensorflow/tfjs";
import { Ia3Adapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `ia3` kind's layer and merge. */
export const ia3: RuntimeKind<"ia3"> = {
  name: "ia3",
  join: "output",
  linearSite: false,
  layer: (op, _config, name) => new Ia3Adapter({ name, d: op.d }),
  merge: (_config, weight, site) => ({
    kernel: tf.mul(site.kernel, weight("scale")),
    bias: site.bias === null ? null : tf.mul(site.bias, weight("scale")),
  }),
  mergeProblem: (activation) =>
    activation === "linear"
      ? null
      : `its Dense layer applies \`${activation}\` before the scale, so the scale cannot fold into the kernel`,
};
