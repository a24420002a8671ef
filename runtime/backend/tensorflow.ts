/**
 * The libtensorflow bindings: `@tensorflow/tfjs-node-gpu` (CUDA) and `@tensorflow/tfjs-node` (CPU). Both
 * register the tfjs backend `tensorflow` on the one `@tensorflow/tfjs` instance, so only one is imported.
 */
import * as tf from "@tensorflow/tfjs";
import { bindingState, noCudaHelp, noCudaReason, probeCuda } from "./cuda.ts";
import { importOptional } from "./optional.ts";
import { refused, type Attempt } from "./types.ts";

/** The two builds, best first. */
export const TENSORFLOW_BUILDS = [
  { pkg: "@tensorflow/tfjs-node-gpu", detail: "libtensorflow with CUDA", label: "tensorflow (CUDA)" },
  { pkg: "@tensorflow/tfjs-node", detail: "libtensorflow on the CPU", label: "tensorflow" },
] as const;

/** One of the builds. */
export type TensorflowBuild = (typeof TENSORFLOW_BUILDS)[number];

let loaded: TensorflowBuild | undefined;

let loadedDir = "";

/** How to get `build` built: scripts/native-backend, with --gpu for the CUDA one. */
function buildHelp(build: TensorflowBuild): string {
  return build === TENSORFLOW_BUILDS[0]
    ? "build it with `scripts/native-backend --gpu` (TensorFlow and the CUDA 12 libraries from their PyPI wheels)"
    : "build it with `scripts/native-backend` (from the TensorFlow wheel on PyPI, no other download)";
}

/** Imports `build` when its addon is there; a coded refusal when it is absent, unbuilt or fails to load. */
async function load(build: TensorflowBuild): Promise<Attempt | undefined> {
  const state = bindingState(build.pkg);
  if (!state.installed) return refused("ADAPT941", `the \`${build.pkg}\` package is not installed`, buildHelp(build));
  if (!state.addon) {
    const why = `${build.pkg} is installed without its native addon (its install script did not run, or did not finish)`;
    return refused("ADAPT942", why, buildHelp(build));
  }
  process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "3";
  const mod = await importOptional(build.pkg);
  if (!mod.ok) {
    return mod.missing
      ? refused("ADAPT941", mod.reason, buildHelp(build))
      : refused("ADAPT942", `${build.pkg} failed to load: ${mod.reason}`, buildHelp(build));
  }
  loaded = build;
  loadedDir = state.dir;
  return undefined;
}

/**
 * Loads `build` and makes `tensorflow` the active backend. The CUDA build is refused when it finds no CUDA
 * device, saying why (hidden GPUs, no driver, no CUDA libraries); if it was loaded, the CPU build's attempt
 * reuses it (both are libtensorflow on the CPU then). A CPU build that finds a GPU says so.
 */
export async function tryTensorflow(build: TensorflowBuild): Promise<Attempt> {
  if (loaded === undefined) {
    const refusal = await load(build);
    if (refusal !== undefined) return refusal;
  }
  const pkg = loaded!.pkg;
  if (!(await setBackendQuietly("tensorflow"))) return refused("ADAPT942", `${pkg} failed to initialise`);
  const onGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (build === TENSORFLOW_BUILDS[0]) {
    if (onGpu) return { ok: true, detail: build.detail };
    const probe = probeCuda(loadedDir);
    return refused("ADAPT942", `${build.pkg} found no CUDA device: ${noCudaReason(probe)}`, noCudaHelp(probe));
  }
  if (onGpu) return { ok: true, detail: `libtensorflow with CUDA (${pkg})` };
  return { ok: true, detail: loaded === build ? build.detail : `${build.detail} (${pkg} without a CUDA device)` };
}

/**
 * Turns off tfjs-backend-cpu's one-time "install our node backend" banner (it prints at the backend's
 * first tensor): `adapt` itself says which backend it took and why the better ones were not available.
 */
export function silenceCpuBanner(): void {
  const cpu = tf.findBackend("cpu") as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

/** `tf.setBackend` that reports failure as `false` instead of throwing. */
export async function setBackendQuietly(name: string): Promise<boolean> {
  if (tf.findBackendFactory(name) == null) return false;
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}
