/**
 * Names and result shapes of backend selection (`--backend auto|tensorflow|webgpu|wasm|cpu`).
 */
import type { Code } from "../../compiler/diagnostics/codes.ts";

/** A backend the user can ask for; `auto` takes the best one present. */
export type BackendPreference = "auto" | BackendName;

/** A concrete backend, in auto's order of preference after the CUDA build of tensorflow. */
export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";

/** Every value `--backend` accepts. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ["auto", "tensorflow", "webgpu", "wasm", "cpu"];

/** The backend a run took. */
export interface BackendChoice {
  /** The tfjs backend name now active (`tf.getBackend()`). */
  readonly name: BackendName;
  /** What it runs on, e.g. `libtensorflow with CUDA` or the GPU adapter's description. */
  readonly detail: string;
  /** Why each better backend was not taken, one sentence each, best first. */
  readonly reasons: readonly string[];
}

/** One attempt to bring a backend up: it is active now, or why not. */
export type Attempt =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly code: Code; readonly reason: string; readonly help?: string };

/** Options of selection; tests and the CLI may narrow what is tried. */
export interface SelectOptions {
  /** Take a software WebGPU adapter (llvmpipe, lavapipe, SwiftShader) in `auto` too. */
  readonly allowSoftwareGpu?: boolean;
  /** Do not try the tensorflow (libtensorflow) bindings. */
  readonly skipTensorflow?: boolean;
}

/** A failed attempt. */
export function refused(code: Code, reason: string, help?: string): Attempt {
  return help === undefined ? { ok: false, code, reason } : { ok: false, code, reason, help };
}
