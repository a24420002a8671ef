/**
 * The adapter layers (registered with tfjs's serialization on import, so adapted models reload with
 * `tf.loadLayersModel`) and the frozen-dense fast path.
 */
export { BottleneckAdapter, ParallelAdapter, type BottleneckArgs } from "./bottleneck.ts";
export { LoraAdapter, type LoraArgs } from "./lora.ts";
export { Ia3Adapter, type Ia3Args } from "./ia3.ts";
export { CompacterAdapter, phmWeight, type CompacterArgs } from "./compacter.ts";
export { PrefixAdapter, type PrefixArgs } from "./prefix.ts";
export { AdapterFusion, FUSION_KEY_STD, type FusionArgs } from "./fusion.ts";
export { FrozenDense, frozenMatMul, type FrozenDenseArgs } from "./frozen-dense.ts";
export { BroadcastLayerNormalization, layerNormalization } from "./layer-norm.ts";
export { fusedGelu, scaledMaskedSoftmax, FusedGeluActivation } from "./fused.ts";
export { activationFn, seedFor, normalizeInit, type InitConfig } from "./common.ts";
