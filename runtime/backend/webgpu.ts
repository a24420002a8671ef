/**
 * The WebGPU backend in Node: Dawn's bindings (`webgpu`, dawn.node) provide `navigator.gpu`, then
 * `@tensorflow/tfjs-backend-webgpu` registers the tfjs backend `webgpu`. Dawn runs on Vulkan on Linux
 * (Metal on macOS, D3D12 on Windows); `ADAPT_DAWN_OPTIONS` passes Dawn toggles, e.g.
 * `backend=opengles` for its OpenGL ES backend (then the adapter is asked for with featureLevel
 * `compatibility`). Numbers are read back asynchronously only: `dataSync` needs an OffscreenCanvas.
 */
import * as tf from "@tensorflow/tfjs";
import { watchDevice, type WatchedDevice } from "./device.ts";
import { importOptional } from "./optional.ts";
import { setBackendQuietly } from "./tensorflow.ts";
import { refused, type Attempt } from "./types.ts";
import { fixWebgpuCast } from "./webgpu-cast.ts";

/** What the GPU adapter says about itself. */
export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

interface Gpu {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapter | null>;
}
interface GpuAdapter {
  readonly info?: Partial<AdapterInfo>;
  readonly isFallbackAdapter?: boolean;
}
interface DawnModule {
  create(options: string[]): Gpu;
  globals: Record<string, unknown>;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|software|basic render/i;
const INSTALL_HELP = "install both with `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`";
const DRIVER_HELP = "run `scripts/setup-webgpu` for Mesa's lavapipe, or install the GPU's Vulkan driver";

let gpu: Gpu | undefined;

/** True for CPU-emulated adapters (llvmpipe/lavapipe, SwiftShader, WARP), which are slower than wasm. */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return (
    info.isFallbackAdapter ||
    info.architecture === "software" ||
    SOFTWARE.test(`${info.vendor} ${info.device} ${info.description}`)
  );
}

/** One line naming the adapter, e.g. `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)`. */
export function describeAdapter(info: AdapterInfo): string {
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s !== "");
  return info.description || parts.join(" ") || "unknown adapter";
}

/** Dawn toggles from `ADAPT_DAWN_OPTIONS` (comma-separated, e.g. `backend=opengles`). */
export function dawnOptions(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env["ADAPT_DAWN_OPTIONS"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Loads Dawn and installs `navigator.gpu` (once); a reason when it cannot. */
async function loadGpu(): Promise<Gpu | Attempt> {
  if (gpu !== undefined) return gpu;
  const mod = await importOptional<DawnModule>("webgpu", () => import("webgpu"));
  if (!mod.ok) {
    return mod.missing
      ? refused("ADAPT941", mod.reason, INSTALL_HELP)
      : refused("ADAPT942", `dawn.node failed to load: ${mod.reason}`);
  }
  const options = dawnOptions();
  const raw = mod.module.create(options);
  const compat = options.includes("backend=opengles");
  gpu = compat ? { requestAdapter: (o) => raw.requestAdapter({ ...o, featureLevel: "compatibility" }) } : raw;
  for (const [k, v] of Object.entries(mod.module.globals)) {
    if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
  }
  const g = globalThis as { navigator?: object };
  const prop = { configurable: true, writable: true };
  if (g.navigator === undefined) Object.defineProperty(globalThis, "navigator", { value: {}, ...prop });
  Object.defineProperty(g.navigator, "gpu", { value: gpu, ...prop });
  return gpu;
}

/** Asks Dawn for the adapter tfjs will get; a reason when there is none. */
export async function probeAdapter(): Promise<AdapterInfo | Attempt> {
  const g = await loadGpu();
  if ("ok" in g) return g;
  const adapter = await g.requestAdapter({ powerPreference: "high-performance" }).catch(() => null);
  if (adapter === null) return refused("ADAPT943", "Dawn found no WebGPU adapter", DRIVER_HELP);
  const i = adapter.info ?? {};
  return {
    vendor: i.vendor ?? "",
    architecture: i.architecture ?? "",
    device: i.device ?? "",
    description: i.description ?? "",
    isFallbackAdapter: (i.isFallbackAdapter ?? adapter.isFallbackAdapter) === true,
  };
}

/** Brings up the `webgpu` backend; with `allowSoftware` false a software adapter is refused. */
export async function tryWebgpu(allowSoftware: boolean): Promise<Attempt> {
  const info = await probeAdapter();
  if ("ok" in info) return info;
  const name = describeAdapter(info);
  if (!allowSoftware && isSoftwareAdapter(info)) {
    const why = `the WebGPU adapter is a software one (${name}), slower than wasm`;
    return refused("ADAPT943", why, "`--backend webgpu` takes it anyway");
  }
  const mod = await importOptional("@tensorflow/tfjs-backend-webgpu", () => import("@tensorflow/tfjs-backend-webgpu"));
  if (!mod.ok) {
    return mod.missing
      ? refused("ADAPT941", mod.reason, INSTALL_HELP)
      : refused("ADAPT942", `the webgpu backend failed to load: ${mod.reason}`);
  }
  fixWebgpuCast();
  if (await setBackendQuietly("webgpu")) {
    watchDevice((tf.findBackend("webgpu") as unknown as { device: WatchedDevice }).device);
    return { ok: true, detail: name };
  }
  return refused("ADAPT942", `the webgpu backend failed to initialise on ${name}`, DRIVER_HELP);
}
