/** Runtime of kind `compacter`: a {@link CompacterAdapter} on the site's output (or input). */
import { CompacterAdapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `compacter` kind's layer. */
export const compacter: RuntimeKind<"compacter"> = {
  name: "compacter",
  join: "output",
  linearSite: false,
  layer: (op, config, name, ctx) =>
    new CompacterAdapter({
      name,
      d: op.d,
      size: op.size ?? config.phm,
      activation: config.activation,
      init: config.init,
      phm: config.phm,
      rank: config.rank,
      seed: ctx.seed,
    }),
};
