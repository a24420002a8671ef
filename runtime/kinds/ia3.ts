/** Runtime of kind `ia3`: an {@link Ia3Adapter} scaling the site's output. */
import { Ia3Adapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `ia3` kind's layer. */
export const ia3: RuntimeKind<"ia3"> = {
  name: "ia3",
  join: "output",
  linearSite: false,
  layer: (op, _config, name) => new Ia3Adapter({ name, d: op.d }),
};
