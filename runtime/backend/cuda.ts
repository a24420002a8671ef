/**
 * What stands between a libtensorflow binding and a CUDA GPU, asked before and after it loads: whether
 * the package's native addon was built (npm installs the JavaScript part alone when install scripts are
 * off, as scripts/native-backend installs it; importing that half-registers the backend's kernels before
 * it throws), and, when the CUDA build finds
 * no device, why: GPUs hidden by CUDA_VISIBLE_DEVICES, no NVIDIA driver, or no CUDA libraries beside
 * libtensorflow (scripts/native-backend --gpu puts them in deps/nvidia, where its RUNPATH looks).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A binding package as installed: absent, or its folder and whether its addon is there. */
export type BindingState =
  { readonly installed: false } | { readonly installed: true; readonly dir: string; readonly addon: boolean };

/** Where `pkg` is installed and whether `lib/napi-v*\/tfjs_binding.node` exists; never throws. */
export function bindingState(pkg: string): BindingState {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    return { installed: false };
  }
  const lib = join(dir, "lib");
  const addon =
    existsSync(lib) &&
    readdirSync(lib).some((d) => d.startsWith("napi-v") && existsSync(join(lib, d, "tfjs_binding.node")));
  return { installed: true, dir, addon };
}

/** What the machine and the package offer CUDA. */
export interface CudaProbe {
  /** The NVIDIA kernel driver's version line, or undefined when no driver is loaded. */
  readonly driver: string | undefined;
  /** Whether the package has the CUDA libraries in deps/nvidia (a scripts/native-backend --gpu build). */
  readonly libraries: boolean;
  /** Whether CUDA_VISIBLE_DEVICES hides every GPU ("" or a negative index first). */
  readonly hidden: boolean;
}

/** Probes the driver (/proc/driver/nvidia/version), the package at `dir` and `env`. */
export function probeCuda(dir: string, env: NodeJS.ProcessEnv = process.env): CudaProbe {
  let driver: string | undefined;
  try {
    driver = readFileSync("/proc/driver/nvidia/version", "utf8").split("\n")[0]?.trim();
  } catch {
    driver = undefined;
  }
  const visible = env["CUDA_VISIBLE_DEVICES"];
  return {
    driver,
    libraries: existsSync(join(dir, "deps", "nvidia", "cuda_runtime", "lib")),
    hidden: visible !== undefined && (visible.trim() === "" || visible.trim().startsWith("-")),
  };
}

/** Why the CUDA build saw no device, most telling first, one clause. */
export function noCudaReason(p: CudaProbe): string {
  if (p.hidden) return "CUDA_VISIBLE_DEVICES hides every GPU";
  if (p.driver === undefined) return "no NVIDIA driver is loaded on this machine (no /proc/driver/nvidia/version)";
  const driver = /Kernel Module\s+([\d.]+)/.exec(p.driver)?.[1] ?? "present";
  if (!p.libraries) {
    return `the NVIDIA driver (${driver}) is loaded, but the package has no CUDA libraries in deps/nvidia and TensorFlow found none on the library path`;
  }
  return `the NVIDIA driver (${driver}) and the CUDA libraries are there, but TensorFlow found no usable GPU (TF_CPP_MIN_LOG_LEVEL=0 prints its reason)`;
}

/** The help for a CUDA build that saw no device. */
export function noCudaHelp(p: CudaProbe): string | undefined {
  if (p.hidden) return "unset CUDA_VISIBLE_DEVICES or name a GPU in it";
  if (p.driver === undefined) return undefined;
  return p.libraries
    ? undefined
    : "rebuild it with `scripts/native-backend --gpu` (CUDA 12 libraries from NVIDIA's wheels)";
}
