/**
 * A fix for tfjs-backend-webgpu 4.22's Cast from int32 or bool to float32. That cast only relabels the
 * tensor (as on WebGL, where every dtype is stored as float), but WebGPU stores int32 and bool as i32,
 * so the "float32" tensor keeps an i32 buffer. Programs that read through a typed getter convert it;
 * Transpose does not, and its shader fails to compile (`expected 'f32', got 'i32'`). Every reduction
 * over a non-innermost axis transposes first, so `sum(cast(mask), 1)` (mean pooling) breaks training
 * with a device validation error and garbage values. The wrapped kernel converts for real: a Mul by a
 * float32 one, whose shader reads the i32 buffer through the converting getter and writes f32.
 */
import * as tf from "@tensorflow/tfjs";
import { kernelWrapped, wrapKernels, type KernelFunc } from "./wrap-kernels.ts";

const WRAPPED = Symbol.for("adapt.webgpuCast");
const BACKEND = "webgpu";

function wrap(inner: KernelFunc, mul: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs["x"] as tf.TensorInfo | undefined;
    const to = (attrs as { dtype?: tf.DataType } | undefined)?.dtype;
    if (x === undefined || to !== "float32" || (x.dtype !== "int32" && x.dtype !== "bool")) {
      return inner({ inputs, backend, attrs });
    }
    const b = backend as {
      makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo;
      disposeData(id: object): void;
    };
    const one = b.makeTensorInfo([], "float32", Float32Array.of(1));
    const out = mul({ inputs: { a: x, b: one }, backend, attrs: {} }) as tf.TensorInfo;
    b.disposeData(one.dataId);
    return out;
  };
}

/** True when the webgpu Cast kernel is wrapped now. */
export function webgpuCastFixed(): boolean {
  return kernelWrapped(BACKEND, "Cast", WRAPPED);
}

/**
 * Wraps the webgpu Cast kernel (idempotent; a no-op when the webgpu kernels are not registered).
 * Returns a function that puts the original kernel back.
 */
export function fixWebgpuCast(): () => void {
  const mul = tf.getKernel("Multiply", BACKEND)?.kernelFunc;
  if (mul === undefined) return () => {};
  return wrapKernels(BACKEND, ["Cast"], WRAPPED, (inner) => wrap(inner, mul));
}
