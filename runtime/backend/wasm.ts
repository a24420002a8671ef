/**
 * The WebAssembly backend (`@tensorflow/tfjs-backend-wasm`), with its .wasm files read from the
 * package's own dist/ folder, the fast matMul gradients of fast-matmul.ts, the embedding gradient
 * kernel of segment-sum.ts, the memory-sharing `Identity` of shared-identity.ts, the GELU kernels of
 * wasm-gelu.ts, the Adam kernel of wasm-adam.ts, the global-norm kernel of wasm-norm.ts, the copying
 * GatherV2 and Tile of wasm-copy.ts, the transpose-free leading-axes Sum of wasm-sum.ts, the
 * LayerNorm kernels of wasm-layer-norm.ts, the softmax-gradient kernel of wasm-softmax.ts and the
 * row-copying Transpose of wasm-transpose.ts installed, and on the threaded build the worker threads
 * (heap-pool.ts) of its own kernels.
 * In Node it runs the threaded SIMD build (wasm-threads.ts) with one thread per core
 * (`ADAPT_WASM_THREADS` overrides; 1 takes the single-threaded SIMD build), falling back to the
 * single-threaded build when the threaded one cannot start.
 */
import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { installFastMatMul } from "./fast-matmul.ts";
import { HeapPool } from "./heap-pool.ts";
import { heapRunner, useHeapRunner, wasmHeap } from "./wasm-asm.ts";
import { fusedProducts, wasmDetail } from "./wasm-fma.ts";
import { GEMM_PANEL, gemmModuleBytes } from "./wasm-gemm.ts";
import { installSegmentSum } from "./segment-sum.ts";
import { installSharedIdentity } from "./shared-identity.ts";
import { installAdam } from "./wasm-adam.ts";
import { installCopies } from "./wasm-copy.ts";
import { installGlobalNorm } from "./wasm-norm.ts";
import { installLeadingSum } from "./wasm-sum.ts";
import { installRowTranspose } from "./wasm-transpose.ts";
import { installGelu } from "./wasm-gelu.ts";
import { installLayerNorm } from "./wasm-layer-norm.ts";
import { installSoftmaxGrad } from "./wasm-softmax.ts";
import { importOptional } from "./optional.ts";
import { setBackendQuietly } from "./tensorflow.ts";
import { refused, type Attempt } from "./types.ts";
import {
  registerThreadedWasm,
  threadedOutcome,
  threadsAvailable,
  wasmThreads,
  type WasmPackage,
} from "./wasm-threads.ts";

interface WasmModule extends WasmPackage {
  setWasmPaths(prefix: string): void;
}

let pathsSet = false;

/** The folder holding the wasm backend's .wasm files, with a trailing slash (`ADAPT_WASM_DIR` overrides). */
export function wasmDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env["ADAPT_WASM_DIR"] ?? dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  return dir.endsWith("/") ? dir : `${dir}/`;
}

/**
 * Brings up the `wasm` backend; `fastMatMul` false leaves tfjs's own matMul kernels (benchmarks).
 * `threads` (default `wasmThreads()`) counts only on the first call, which registers the backend.
 */
export async function tryWasm(fastMatMul = true, threads = wasmThreads()): Promise<Attempt> {
  const mod = await importOptional<WasmModule>(
    "@tensorflow/tfjs-backend-wasm",
    () => import("@tensorflow/tfjs-backend-wasm"),
  );
  if (!mod.ok) return refused(mod.missing ? "ADAPT941" : "ADAPT942", mod.reason);
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  if (!pathsSet) {
    mod.module.setWasmPaths(wasmDir());
    if (threads > 1 && simd && threadsAvailable()) {
      const xnnpack = fastMatMul && ownGemm() ? 1 : threads;
      registerThreadedWasm(mod.module, threads, `${wasmDir()}tfjs-backend-wasm-threaded-simd.wasm`, xnnpack);
    }
    pathsSet = true;
  }
  if (!(await setBackendQuietly("wasm"))) return refused("ADAPT942", "the wasm backend failed to initialise");
  if (fastMatMul) {
    installFastMatMul("wasm");
    startHeapPool();
  }
  installSegmentSum("wasm");
  installSharedIdentity("wasm");
  installGelu("wasm");
  installAdam("wasm");
  installCopies("wasm");
  installGlobalNorm("wasm");
  installLeadingSum("wasm");
  installLayerNorm("wasm");
  installSoftmaxGrad("wasm");
  installRowTranspose("wasm");
  return { ok: true, detail: describe(simd, fastMatMul) };
}

/**
 * True when the products by weights run on the dense kernel of wasm-gemm.ts with threads of its own
 * (heap-pool.ts), XNNPACK's pool then keeping one: a kernel of ours cannot run on XNNPACK's threads, and
 * XNNPACK's threads, polling for work after each of its operations, took the cores from ours (the
 * products ran at 43-65 GFLOP/s in a step, against 67-78 without them). `ADAPT_WASM_GEMM=off` leaves the
 * products and the threads to XNNPACK.
 */
export function ownGemm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["ADAPT_WASM_GEMM"] !== "off" && WebAssembly.validate(gemmModuleBytes(true, GEMM_PANEL, GEMM_PANEL));
}

/**
 * Starts the worker threads of adapt's kernels (heap-pool.ts: the dense products, attention's batched
 * products, GELU) where the threaded build left the threads to them, once per heap.
 */
function startHeapPool(): void {
  const o = threadedOutcome();
  const heap = wasmHeap(tf.engine().findBackend("wasm"));
  if (o === undefined || heap === undefined || (o.xnnpackThreads ?? o.threads) >= o.threads) return;
  if (heapRunner(heap.memory) === undefined) useHeapRunner(heap.memory, new HeapPool(heap.memory, o.threads));
}

/** The backend's detail line: SIMD or not (and fused multiply-adds in its products), and its threads (or why it runs one). */
function describe(simd: boolean, fastMatMul: boolean): string {
  const base = wasmDetail(simd, fastMatMul && fusedProducts());
  const o = threadedOutcome();
  if (o === undefined) return base;
  if (o.fallback !== undefined) return `${base}, 1 thread (the threaded build failed: ${o.fallback})`;
  return `${base}, ${o.threads} thread${o.threads === 1 ? "" : "s"}`;
}
