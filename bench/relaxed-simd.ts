/**
 * Imported first by the benchmarks that run the wasm backend in their own process: turns relaxed SIMD on
 * before anything compiles, as bin/adapt.js does for `adapt run`, so their kernels fuse multiply-adds as
 * the CLI's do (runtime/backend/wasm-fma.ts). `ADAPT_WASM_FMA=off` leaves it off.
 */
import { setFlagsFromString } from "node:v8";
import { enableRelaxedSimd } from "../runtime/backend/wasm-fma.ts";

if (process.env["ADAPT_WASM_FMA"] !== "off") enableRelaxedSimd(setFlagsFromString);
