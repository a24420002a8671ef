/**
 * The CUDA build's preconditions: a binding package without its addon is told apart from a missing one,
 * and a CUDA build that sees no device says why (hidden GPUs, no driver, no CUDA libraries). Where the
 * CUDA build is built here (scripts/native-backend --gpu), selection in a fresh process refuses it with
 * the coded reason and falls back, or takes the GPU where there is one.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bindingState, noCudaHelp, noCudaReason, probeCuda, type CudaProbe } from "../cuda.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DRIVER = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024";
const tmp = mkdtempSync(join(tmpdir(), "adapt-cuda-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("bindingState", () => {
  it("tells a missing package from one installed without its addon", () => {
    expect(bindingState("@adapt/no-such-binding")).toEqual({ installed: false });
    const tfjs = bindingState("@tensorflow/tfjs");
    expect(tfjs).toMatchObject({ installed: true, addon: false });
  });
});

describe("probeCuda", () => {
  it("finds the CUDA libraries of a --gpu build and reads CUDA_VISIBLE_DEVICES", () => {
    const pkg = join(tmp, "pkg");
    mkdirSync(join(pkg, "deps", "nvidia", "cuda_runtime", "lib"), { recursive: true });
    expect(probeCuda(pkg, {}).libraries).toBe(true);
    expect(probeCuda(tmp, {}).libraries).toBe(false);
    expect(probeCuda(pkg, { CUDA_VISIBLE_DEVICES: "" }).hidden).toBe(true);
    expect(probeCuda(pkg, { CUDA_VISIBLE_DEVICES: "-1" }).hidden).toBe(true);
    expect(probeCuda(pkg, { CUDA_VISIBLE_DEVICES: "0,1" }).hidden).toBe(false);
    expect(probeCuda(pkg, {}).driver !== undefined).toBe(existsSync("/proc/driver/nvidia/version"));
  });
});

describe("noCudaReason", () => {
  const probe = (p: Partial<CudaProbe>): CudaProbe => ({ driver: DRIVER, libraries: true, hidden: false, ...p });

  it("names hidden GPUs first, then a missing driver, then missing libraries", () => {
    expect(noCudaReason(probe({ hidden: true, driver: undefined }))).toBe("CUDA_VISIBLE_DEVICES hides every GPU");
    expect(noCudaHelp(probe({ hidden: true }))).toContain("CUDA_VISIBLE_DEVICES");
    expect(noCudaReason(probe({ driver: undefined, libraries: false }))).toBe(
      "no NVIDIA driver is loaded on this machine (no /proc/driver/nvidia/version)",
    );
    expect(noCudaHelp(probe({ driver: undefined }))).toBeUndefined();
    expect(noCudaReason(probe({ libraries: false }))).toMatch(
      /^the NVIDIA driver \(550\.54\.15\) is loaded, but .*deps\/nvidia/,
    );
    expect(noCudaHelp(probe({ libraries: false }))).toContain("scripts/native-backend --gpu");
    expect(noCudaReason(probe({}))).toContain("TensorFlow found no usable GPU");
  });
});

const gpuBuilt = (() => {
  const s = bindingState("@tensorflow/tfjs-node-gpu");
  return s.installed && s.addon && existsSync(join(s.dir, "deps", "nvidia"));
})();
if (!gpuBuilt)
  console.log("[cuda build] skipped: @tensorflow/tfjs-node-gpu is not built; run scripts/native-backend --gpu");

/** `adapt run`'s selection in a fresh process (the binding loads once per process). */
function select(preference: string, env: NodeJS.ProcessEnv): { lines: string[]; diagnostics: { code: string }[] } {
  const script = `import { selectBackend, describeChoice } from "./runtime/backend/select.ts";
    const r = await selectBackend(${JSON.stringify(preference)});
    console.log(JSON.stringify({ lines: r.value ? describeChoice(r.value) : [], diagnostics: r.diagnostics }));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as { lines: string[]; diagnostics: { code: string }[] };
}

describe.skipIf(!gpuBuilt)(`the CUDA build${gpuBuilt ? "" : " (skipped: not built)"}`, () => {
  it("with every GPU hidden, auto says why CUDA was not taken and trains on libtensorflow's CPU", () => {
    const r = select("auto", { CUDA_VISIBLE_DEVICES: "-1" });
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toBe(
      "backend: tensorflow (libtensorflow on the CPU (@tensorflow/tfjs-node-gpu without a CUDA device))",
    );
    expect(r.lines[1]).toBe(
      "  not tensorflow (CUDA): @tensorflow/tfjs-node-gpu found no CUDA device: CUDA_VISIBLE_DEVICES hides every GPU",
    );
  });

  it("takes the GPU where the driver sees one, else names the missing driver", () => {
    const r = select("tensorflow", {});
    expect(r.diagnostics).toEqual([]);
    if (r.lines[0] === "backend: tensorflow (libtensorflow with CUDA)") return;
    const reason = r.lines[1] ?? "";
    if (existsSync("/proc/driver/nvidia/version")) expect(reason).toContain("found no CUDA device: the NVIDIA driver");
    else expect(reason).toContain("found no CUDA device: no NVIDIA driver is loaded on this machine");
  });
});
