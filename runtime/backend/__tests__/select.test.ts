/**
 * Backend selection: names, forced choices that are unavailable (coded, never thrown), auto's order and
 * reasons, software adapter detection, and the test-backend list.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { describeChoice, selectBackend } from "../select.ts";
import { testBackendNames } from "../testing.ts";
import { isSoftwareAdapter, describeAdapter, dawnOptions, type AdapterInfo } from "../webgpu.ts";
import { importOptional } from "../optional.ts";

const LLVMPIPE: AdapterInfo = {
  vendor: "mesa",
  architecture: "software",
  device: "llvmpipe-llvm-15-0-6-256-bits-",
  description: "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)",
  isFallbackAdapter: true,
};
const NVIDIA: AdapterInfo = {
  vendor: "nvidia",
  architecture: "hopper",
  device: "",
  description: "NVIDIA H200",
  isFallbackAdapter: false,
};

describe("selectBackend", () => {
  it("rejects an unknown name with ADAPT940 and a suggestion", async () => {
    const r = await selectBackend("wsam");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]?.code).toBe("ADAPT940");
    expect(r.diagnostics[0]?.help).toBe("did you mean `wasm`?");
  });

  it("takes cpu when forced", async () => {
    const r = await selectBackend("cpu");
    expect(r.value).toEqual({ name: "cpu", detail: "pure JavaScript", reasons: [] });
    expect(tf.getBackend()).toBe("cpu");
  });

  it("auto takes a backend, says why each better one was not taken, and leaves it active", async () => {
    const r = await selectBackend("auto");
    expect(r.diagnostics).toEqual([]);
    const order = ["tensorflow (CUDA)", "webgpu", "tensorflow", "wasm", "cpu"];
    const taken =
      r.value!.name === "tensorflow" && r.value!.detail.startsWith("libtensorflow with CUDA")
        ? 0
        : order.indexOf(r.value!.name);
    expect(r.value!.reasons.map((s) => s.split(":")[0])).toEqual(order.slice(0, taken));
    expect(tf.getBackend()).toBe(r.value!.name);
    expect(describeChoice(r.value!)[0]).toBe(`backend: ${r.value!.name} (${r.value!.detail})`);
  });

  it("a forced tensorflow without its packages is a coded error, not a crash", async () => {
    const r = await selectBackend("tensorflow");
    if (r.value !== undefined) return expect(r.value.name).toBe("tensorflow");
    expect(["ADAPT941", "ADAPT942"]).toContain(r.diagnostics[0]?.code);
    expect(r.diagnostics[0]?.notes).toHaveLength(2);
  });

  it("auto skips tensorflow when asked and does not pick a software GPU", async () => {
    const r = await selectBackend("auto", { skipTensorflow: true });
    expect(r.value!.reasons.some((s) => s.startsWith("tensorflow"))).toBe(false);
    const soft = r.value!.reasons.find((s) => s.includes("software"));
    if (soft !== undefined) expect(r.value!.name).not.toBe("webgpu");
    await tf.setBackend("cpu");
  });
});

describe("adapters and options", () => {
  it("tells software adapters from hardware ones", () => {
    expect(isSoftwareAdapter(LLVMPIPE)).toBe(true);
    expect(isSoftwareAdapter({ ...LLVMPIPE, isFallbackAdapter: false, architecture: "" })).toBe(true);
    expect(isSoftwareAdapter({ ...NVIDIA, description: "SwiftShader Device (Subzero)" })).toBe(true);
    expect(isSoftwareAdapter(NVIDIA)).toBe(false);
    expect(describeAdapter(NVIDIA)).toBe("NVIDIA H200");
    expect(describeAdapter({ ...NVIDIA, description: "" })).toBe("nvidia hopper");
  });

  it("reads Dawn toggles and test backends from the environment", () => {
    expect(dawnOptions({ ADAPT_DAWN_OPTIONS: "backend=opengles, x=1" })).toEqual(["backend=opengles", "x=1"]);
    expect(dawnOptions({})).toEqual([]);
    expect(testBackendNames({ ADAPT_TEST_BACKENDS: "webgpu,wasm,bogus" })).toEqual(["cpu", "wasm", "webgpu"]);
    expect(testBackendNames({})).toEqual(["cpu", "wasm", "webgpu", "tensorflow"]);
  });

  it("tells a missing optional package from one that fails to load", async () => {
    const missing = await importOptional("@adapt/no-such-package");
    expect(missing).toMatchObject({ ok: false, missing: true });
    const broken = await importOptional("data:text/javascript,throw new Error('boom.')");
    expect(broken).toEqual({ ok: false, missing: false, reason: "boom" });
  });
});
