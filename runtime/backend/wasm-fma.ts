/**
 * Fused multiply-add for the product kernels on the wasm heap (wasm-gemm.ts, wasm-bmm.ts): relaxed SIMD's
 * f32x4.relaxed_madd, which V8 compiles to one FMA instruction where the CPU has one, does a product's
 * multiply-add in one instruction and one rounding instead of two. The dense kernel runs about 1.25x
 * faster with it on one thread here (48 against 38 GFLOP/s on 2048 x 384 x 1536). Engines compile it where
 * relaxed SIMD is on: Chrome from 114, Node from 22, Node 20 with `--experimental-wasm-relaxed-simd`
 * (which bin/adapt.js sets at start). The sums then differ from XNNPACK's in the last bits (one rounding
 * per step where XNNPACK makes two); `ADAPT_WASM_FMA=off` keeps XNNPACK's sums, bit for bit.
 */
import { assemble, f32, i32, V_RELAXED_MADD, V_SPLAT, vStore } from "./wasm-asm.ts";

/**
 * The probe module, `madd()`: stores relaxed_madd(a, a, c) at byte 0, a = 1 + 2^-12, c = -(1 + 2^-11); it
 * compiles where relaxed SIMD is on.
 */
export function probeBytes(): Uint8Array<ArrayBuffer> {
  const a = [...f32(1 + 2 ** -12), ...V_SPLAT];
  const code = [...i32(0), ...a, ...a, ...f32(-(1 + 2 ** -11)), ...V_SPLAT, ...V_RELAXED_MADD, ...vStore(0)];
  return assemble(false, [{ name: "madd", params: 0, locals: [], code }]);
}

let compiles: boolean | undefined;
let fuses: boolean | undefined;

/** True when this engine compiles relaxed SIMD's multiply-add. */
export function relaxedSimd(): boolean {
  compiles ??= WebAssembly.validate(probeBytes());
  return compiles;
}

/**
 * True when relaxed_madd rounds once here (V8 made an FMA instruction of it), false when it rounds twice
 * (mul then add, a CPU without FMA), undefined without relaxed SIMD: (1 + 2^-12)² - (1 + 2^-11) is 2^-24
 * fused and 0 when the product is rounded first.
 */
export function multiplyAddFuses(): boolean | undefined {
  if (!relaxedSimd()) return undefined;
  if (fuses === undefined) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { madd } = new WebAssembly.Instance(new WebAssembly.Module(probeBytes()), { env: { memory } }).exports;
    (madd as () => void)();
    fuses = new Float32Array(memory.buffer)[0] !== 0;
  }
  return fuses;
}

/** Node 20's V8 flag for relaxed SIMD (on by default from Node 22). */
export const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";

/**
 * Turns relaxed SIMD on through `setFlag` (node:v8's `setFlagsFromString`, which this module leaves to
 * its caller so that it runs in a browser too) where the engine has it off, and says whether it compiles
 * now. Call it before anything compiles WebAssembly (bin/adapt.js does the same in plain JavaScript).
 */
export function enableRelaxedSimd(setFlag: (flag: string) => void): boolean {
  if (!WebAssembly.validate(probeBytes())) setFlag(RELAXED_SIMD_FLAG);
  [compiles, fuses] = [undefined, undefined];
  return relaxedSimd();
}

/** The wasm backend's description: WebAssembly, with SIMD, and fused multiply-add where its products fuse. */
export const wasmDetail = (simd: boolean, fused: boolean): string =>
  simd ? `WebAssembly with SIMD${fused ? " and fused multiply-add" : ""}` : "WebAssembly";

/** The environment's variables where there is a `process` (Node), else none (a browser). */
const processEnv = (): Record<string, string | undefined> =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

/** True when the product kernels use relaxed_madd: the engine compiles it and `ADAPT_WASM_FMA` is not "off". */
export function fusedProducts(env: Record<string, string | undefined> = processEnv()): boolean {
  return env["ADAPT_WASM_FMA"] !== "off" && relaxedSimd();
}
