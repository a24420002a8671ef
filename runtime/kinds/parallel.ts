/** Runtime of kind `parallel`: a {@link ParallelAdapter} reading the site's input beside it. */
import { ParallelAdapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `parallel` kind's layer. */
export const parallel: RuntimeKind<"parallel"> = {
  name: "parallel",
  join: "beside",
  linearSite: false,
  layer: (op, config, name, ctx) =>
    new ParallelAdapter({
      name,
      d: op.d,
      size: op.size ?? 1,
      activation: config.activation,
      init: config.init,
      scale: config.scale,
      seed: ctx.seed,
    }),
};
