/**
 * Backends come up without the noise `adapt` already accounts for: tfjs-backend-cpu's "install our node
 * backend" banner, and Dawn's native "Couldn't load Vulkan" warning (Dawn is not asked when there is no
 * Vulkan loader). This file's first test must stay first: the banner prints once per process.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { selectBackend } from "../select.ts";
import { dawnWantsVulkan, VULKAN_LOADER, vulkanLoaderFound } from "../vulkan.ts";

afterEach(() => vi.restoreAllMocks());

describe("quiet backends", () => {
  it("the cpu backend's first tensor prints no banner once `adapt` chose it", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect((await selectBackend("cpu")).value?.name).toBe("cpu");
    tf.tensor([1, 2, 3]).add(1).dataSync();
    expect(warn.mock.calls.flat().join("\n")).not.toMatch(/node backend/);
  });

  it("finds the Vulkan loader in LD_LIBRARY_PATH or the loader's cache, and misses it otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "adapt-vk-"));
    const lib = join(dir, "lib");
    mkdirSync(lib);
    writeFileSync(join(dir, "empty.cache"), "ld.so-1.7.0 libc.so.6 libm.so.6");
    writeFileSync(join(dir, "full.cache"), `ld.so-1.7.0 libc.so.6 ${VULKAN_LOADER} libm.so.6`);
    expect(vulkanLoaderFound({}, join(dir, "empty.cache"), [])).toBe(false);
    expect(vulkanLoaderFound({}, join(dir, "no-such.cache"), [])).toBe(false);
    expect(vulkanLoaderFound({}, join(dir, "full.cache"), [])).toBe(true);
    writeFileSync(join(lib, VULKAN_LOADER), "");
    expect(vulkanLoaderFound({ LD_LIBRARY_PATH: `/nowhere:${lib}` }, join(dir, "empty.cache"), [])).toBe(true);
    expect(vulkanLoaderFound({}, join(dir, "empty.cache"), [lib])).toBe(true);
  });

  it("asks for Vulkan only on Linux with Dawn's default or Vulkan backend", () => {
    expect(dawnWantsVulkan([], "linux")).toBe(true);
    expect(dawnWantsVulkan(["backend=vulkan"], "linux")).toBe(true);
    expect(dawnWantsVulkan(["backend=opengles"], "linux")).toBe(false);
    expect(dawnWantsVulkan([], "darwin")).toBe(false);
  });
});
