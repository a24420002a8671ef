/**
 * The training backend in a browser: WebGPU, then WebGL, then wasm (or the one the user chose), each
 * tried for real, with a line saying why it was taken or passed over. The runtime's own pieces are used
 * as on the command line: the webgpu Cast fix and device watch, and wasm's fast matMul gradients, its
 * GELU and Adam kernels, its UnsortedSegmentSum kernel (so `train all` trains here too) and its
 * memory-sharing Identity.
 */
import * as tf from "@tensorflow/tfjs";
import { watchDevice, type WatchedDevice } from "../../runtime/backend/device.ts";
import { installFastMatMul } from "../../runtime/backend/fast-matmul.ts";
import { installSegmentSum } from "../../runtime/backend/segment-sum.ts";
import { installSharedIdentity } from "../../runtime/backend/shared-identity.ts";
import { installAdam } from "../../runtime/backend/wasm-adam.ts";
import { fusedProducts, wasmDetail } from "../../runtime/backend/wasm-fma.ts";
import { installGelu } from "../../runtime/backend/wasm-gelu.ts";
import { fixWebgpuCast } from "../../runtime/backend/webgpu-cast.ts";
import type { BackendLine } from "./protocol.ts";

/** The browser backends in order of preference. */
export const BROWSER_BACKENDS = ["webgpu", "webgl", "wasm"] as const;

type Outcome = { ok: true; detail: string } | { ok: false; detail: string };

interface GpuAdapter {
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

async function setBackend(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function tryWebgpu(explicit: boolean): Promise<Outcome> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapter | null> } }).gpu;
  if (gpu === undefined) return { ok: false, detail: "this browser has no WebGPU (navigator.gpu is missing)" };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (adapter === null) return { ok: false, detail: "the browser offers no WebGPU adapter" };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "unnamed adapter";
  if (info.isFallbackAdapter === true && !explicit)
    return { ok: false, detail: `the WebGPU adapter is a software one (${name}), slower than wasm` };
  await import("@tensorflow/tfjs-backend-webgpu");
  fixWebgpuCast();
  if (!(await setBackend("webgpu"))) return { ok: false, detail: `the webgpu backend failed to initialise on ${name}` };
  watchDevice((tf.backend() as unknown as { device: WatchedDevice }).device);
  return { ok: true, detail: name };
}

async function tryWebgl(): Promise<Outcome> {
  if (!(await setBackend("webgl"))) return { ok: false, detail: "WebGL is not available to this worker" };
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  const info = gl?.getExtension("WEBGL_debug_renderer_info");
  const renderer = gl?.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as string | undefined;
  return { ok: true, detail: `WebGL ${tf.env().getNumber("WEBGL_VERSION")}${renderer ? ` on ${renderer}` : ""}` };
}

async function tryWasm(wasmBase: string): Promise<Outcome> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(wasmBase);
  if (!(await setBackend("wasm"))) return { ok: false, detail: "the wasm backend failed to initialise" };
  installFastMatMul("wasm");
  installSegmentSum("wasm");
  installSharedIdentity("wasm");
  installGelu("wasm");
  installAdam("wasm");
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  return { ok: true, detail: wasmDetail(simd, fusedProducts()) };
}

/** Brings up `preference` ("auto" tries all in order); the name taken (null when none) and every line. */
export async function selectBrowserBackend(
  preference: string,
  wasmBase: string,
): Promise<{ name: string | null; lines: BackendLine[] }> {
  const order = preference === "auto" ? BROWSER_BACKENDS : BROWSER_BACKENDS.filter((b) => b === preference);
  const lines: BackendLine[] = [];
  for (const name of order) {
    const outcome = await (
      name === "webgpu" ? tryWebgpu(preference === "webgpu") : name === "webgl" ? tryWebgl() : tryWasm(wasmBase)
    ).catch((e: unknown): Outcome => ({ ok: false, detail: e instanceof Error ? e.message : String(e) }));
    lines.push({ name, ok: outcome.ok, detail: outcome.detail });
    if (outcome.ok) return { name, lines };
  }
  return { name: null, lines };
}
