/**
 * Device housekeeping: errors a GPU device reports on its own are collected and handed out once, the
 * between-step settling is a no-op off webgpu, and batch lengths round up only on webgpu.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { lengthMultiple, settleDevice, takeDeviceError, watchDevice, type WatchedDevice } from "../device.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A stand-in GPUDevice: an EventTarget that can report errors and be lost. */
function fakeDevice(): { device: WatchedDevice; report: (message: string) => void; lose: (reason: string) => void } {
  const target = new EventTarget();
  let lose: (info: { reason: string; message: string }) => void = () => {};
  const lost = new Promise<{ reason: string; message: string }>((done) => (lose = done));
  const device = Object.assign(target, { lost }) as unknown as WatchedDevice;
  const report = (message: string): void => {
    target.dispatchEvent(Object.assign(new Event("uncapturederror"), { error: { message } }));
  };
  return { device, report, lose: (reason) => lose({ reason, message: `${reason} happened\nmore detail` }) };
}

describe("device errors", () => {
  it("hands out the first error's first line once, with how many followed", () => {
    const { device, report } = fakeDevice();
    watchDevice(device);
    watchDevice(device);
    expect(takeDeviceError()).toBeUndefined();
    report("\nError while parsing WGSL: type mismatch\n  setOutputAtIndex(...)");
    report("[Invalid CommandBuffer] is invalid due to a previous error.");
    expect(takeDeviceError()).toBe("Error while parsing WGSL: type mismatch (and 1 more)");
    expect(takeDeviceError()).toBeUndefined();
  });

  it("reports a lost device, but not one destroyed on purpose", async () => {
    const a = fakeDevice();
    const b = fakeDevice();
    watchDevice(a.device);
    watchDevice(b.device);
    a.lose("unknown");
    b.lose("destroyed");
    await new Promise((done) => setImmediate(done));
    expect(takeDeviceError()).toBe("the device was lost: unknown happened");
  });
});

describe("between steps", () => {
  it("does nothing off webgpu, and keeps batch lengths exact there", () => {
    const before = tf.memory().numTensors;
    settleDevice();
    expect(tf.memory().numTensors).toBe(before);
    expect(lengthMultiple()).toBe(1);
  });
});
