/**
 * The libtensorflow bindings: `@tensorflow/tfjs-node-gpu` (CUDA) and `@tensorflow/tfjs-node` (CPU). Both
 * register the tfjs backend `tensorflow` on the one `@tensorflow/tfjs` instance, so only one is imported.
 */
import * as tf from "@tensorflow/tfjs";
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

/**
 * Loads `build` and makes `tensorflow` the active backend. The CUDA build is refused when it finds no CUDA
 * device; if it was loaded, the CPU build's attempt reuses it (both are libtensorflow on the CPU then).
 */
export async function tryTensorflow(build: TensorflowBuild): Promise<Attempt> {
  if (loaded === undefined) {
    process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "3";
    const mod = await importOptional(build.pkg);
    if (!mod.ok) {
      const help =
        build === TENSORFLOW_BUILDS[1]
          ? "build it with `scripts/native-backend` (from the TensorFlow wheel on PyPI, no other download)"
          : `install it with \`npm install ${build.pkg}@${tf.version_core}\` where its CUDA build can be downloaded`;
      return mod.missing
        ? refused("ADAPT941", mod.reason, help)
        : refused("ADAPT942", `${build.pkg} failed to load: ${mod.reason}`, help);
    }
    loaded = build;
  }
  if (!(await setBackendQuietly("tensorflow"))) return refused("ADAPT942", `${loaded.pkg} failed to initialise`);
  const onGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (build === TENSORFLOW_BUILDS[0]) {
    return onGpu ? { ok: true, detail: build.detail } : refused("ADAPT942", `${build.pkg} found no CUDA device`);
  }
  return {
    ok: true,
    detail: loaded === build ? build.detail : `${build.detail} (${loaded.pkg} without a CUDA device)`,
  };
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
