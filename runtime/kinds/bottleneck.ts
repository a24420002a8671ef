/** Runtime of kind `bottleneck`: a {@link BottleneckAdapter} on the site's output (or input). */
import { BottleneckAdapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `bottleneck` kind's layer. */
export const bottleneck: RuntimeKind<"bottleneck"> = {
  name: "bottleneck",
  join: "output",
  linearSite: false,
  layer: (op, config, name, ctx) =>
    new BottleneckAdapter({
      name,
      d: op.d,
      size: op.size ?? 1,
      activation: config.activation,
      init: config.init,
      seed: ctx.seed,
    }),
};
