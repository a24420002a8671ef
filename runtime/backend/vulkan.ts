/**
 * Whether Dawn can find a Vulkan loader (`libvulkan.so.1`) on Linux, asked before Dawn is: without one,
 * Dawn writes "Couldn't load Vulkan" from native code straight to stderr, which no JavaScript can silence,
 * after `adapt` has already said which backend it took and why.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The Vulkan loader's file name on Linux. */
export const VULKAN_LOADER = "libvulkan.so.1";

const SYSTEM_DIRS = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/lib/x86_64-linux-gnu",
  "/lib64",
  "/lib",
  "/usr/local/lib",
];

/** True when Dawn will look for Vulkan: on Linux, unless `ADAPT_DAWN_OPTIONS` picks another of its backends. */
export function dawnWantsVulkan(options: readonly string[], platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== "linux") return false;
  const backend = options.find((o) => o.startsWith("backend="));
  return backend === undefined || backend === "backend=vulkan";
}

/**
 * True when the dynamic loader can find the Vulkan loader: in `LD_LIBRARY_PATH`, in the loader's cache
 * (/etc/ld.so.cache names every library ldconfig knows), or in a system library folder.
 */
export function vulkanLoaderFound(
  env: NodeJS.ProcessEnv = process.env,
  cache = "/etc/ld.so.cache",
  dirs: readonly string[] = SYSTEM_DIRS,
): boolean {
  const fromEnv = (env["LD_LIBRARY_PATH"] ?? "").split(":").filter((d) => d !== "");
  if ([...fromEnv, ...dirs].some((d) => existsSync(join(d, VULKAN_LOADER)))) return true;
  try {
    return readFileSync(cache).includes(VULKAN_LOADER);
  } catch {
    return false;
  }
}
