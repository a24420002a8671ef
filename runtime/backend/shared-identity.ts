/**
 * An `Identity` kernel for the wasm backend that shares its input's memory, as the cpu, webgl and webgpu
 * backends' do, instead of copying it. tfjs clones every tensor a kernel saves for its gradient through
 * `Identity`, so on wasm each saved activation was copied, and held twice while its layer ran: on the
 * bundled example (32 x 54 tokens) that raised a training step's peak by about 300 MB, which the wasm
 * heap then keeps (it never shrinks). Tensors are immutable (a variable's `assign` swaps its memory, it
 * never writes into it), so sharing is safe; the memory is freed when its last user is disposed.
 */
import * as tf from "@tensorflow/tfjs";
import { kernelWrapped, unwrapKernels, wrapKernels, type KernelFunc } from "./wrap-kernels.ts";

/** The part of the wasm backend's class the kernel uses (a public method of `BackendWasm`). */
interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

const TAG = Symbol.for("adapt.sharedIdentity");

const share =
  (inner: KernelFunc): KernelFunc =>
  (args) => {
    const x = args.inputs["x"]!;
    if (x.dtype === "string") return inner(args);
    (args.backend as unknown as RefCounted).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

/** True when `backendName`'s `Identity` kernel is the sharing one now. */
export function sharedIdentityInstalled(backendName = "wasm"): boolean {
  return kernelWrapped(backendName, "Identity", TAG);
}

/** Makes `backendName`'s (default wasm) `Identity` kernel share memory (idempotent). */
export function installSharedIdentity(backendName = "wasm"): void {
  wrapKernels(backendName, ["Identity"], TAG, share);
}

/** Puts the copying `Identity` kernel back on `backendName` (benchmarks, tests); a no-op when not installed. */
export function uninstallSharedIdentity(backendName = "wasm"): void {
  unwrapKernels(backendName, ["Identity"], TAG);
}
