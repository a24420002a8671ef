import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import "../file-io.ts";
import "../../layers/index.ts";
import "../../train/head.ts";
import { KNOWN_LAYER_CLASSES } from "../../../compiler/model/known-classes.ts";

/** Class names tfjs's registry holds for layers (initializers, optimizers and the like are not layers). */
function registeredLayers(): string[] {
  const map = (
    tf.serialization as unknown as { SerializationMap: { getMap(): { classNameMap: Record<string, [unknown]> } } }
  ).SerializationMap.getMap().classNameMap;
  return Object.keys(map).filter((name) => {
    const ctor = map[name]![0] as { prototype?: unknown };
    return (
      ctor.prototype instanceof tf.layers.Layer || ctor === tf.LayersModel || ctor.prototype instanceof tf.LayersModel
    );
  });
}

describe("the compiler's list of loadable layer classes (ADAPT130)", () => {
  it("equals the layer classes registered with tfjs once adapt's runtime is loaded", () => {
    expect([...KNOWN_LAYER_CLASSES].sort()).toEqual(registeredLayers().sort());
  });
});
