/**
 * The WebAssembly backend (`@tensorflow/tfjs-backend-wasm`), with its .wasm files read from the
 * package's own dist/ folder, the fast matMul gradients of fast-matmul.ts, the embedding gradient
 * kernel of segment-sum.ts and the memory-sharing `Identity` of shared-identity.ts installed.
 */
import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { installFastMatMul } from "./fast-matmul.ts";
import { installSegmentSum } from "./segment-sum.ts";
import { installSharedIdentity } from "./shared-identity.ts";
import { importOptional } from "./optional.ts";
import { setBackendQuietly } from "./tensorflow.ts";
import { refused, type Attempt } from "./types.ts";

interface WasmModule {
  setWasmPaths(prefix: string): void;
}

let pathsSet = false;

/** The folder holding the wasm backend's .wasm files, with a trailing slash (`ADAPT_WASM_DIR` overrides). */
export function wasmDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env["ADAPT_WASM_DIR"] ?? dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  return dir.endsWith("/") ? dir : `${dir}/`;
}

/** Brings up the `wasm` backend; `fastMatMul` false leaves tfjs's own matMul kernels (benchmarks). */
export async function tryWasm(fastMatMul = true): Promise<Attempt> {
  const mod = await importOptional<WasmModule>(
    "@tensorflow/tfjs-backend-wasm",
    () => import("@tensorflow/tfjs-backend-wasm"),
  );
  if (!mod.ok) return refused(mod.missing ? "ADAPT941" : "ADAPT942", mod.reason);
  if (!pathsSet) {
    mod.module.setWasmPaths(wasmDir());
    pathsSet = true;
  }
  if (!(await setBackendQuietly("wasm"))) return refused("ADAPT942", "the wasm backend failed to initialise");
  if (fastMatMul) installFastMatMul("wasm");
  installSegmentSum("wasm");
  installSharedIdentity("wasm");
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  return { ok: true, detail: simd ? "WebAssembly with SIMD" : "WebAssembly" };
}
