/**
 * Errors a GPU device reports on its own: WebGPU validation errors (a shader that does not compile), out of
 * memory, internal errors, and a lost device. tfjs does not surface them: the failed work leaves garbage
 * in its output buffers and training goes on with wrong numbers. The webgpu backend's device is watched
 * from the moment it is selected; the training loop and the test group ask `takeDeviceError` after each
 * step and fail with the first message.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@tensorflow/tfjs";

/** The part of a GPUDevice this module uses. */
export interface WatchedDevice {
  addEventListener(type: "uncapturederror", listener: (event: { error?: { message?: string } }) => void): void;
  readonly lost?: Promise<{ reason?: string; message?: string }>;
}

const pending: string[] = [];
const watched = new WeakSet<object>();

/** Starts collecting the device's uncaptured errors and its loss (once per device). */
export function watchDeviceErrors(device: WatchedDevice): void {
  if (watched.has(device)) return;
  watched.add(device);
  device.addEventListener("uncapturederror", (event) => {
    pending.push(firstLine(event.error?.message ?? "unknown device error"));
  });
  void device.lost?.then((info) => {
    if (info.reason !== "destroyed") pending.push(`the device was lost: ${firstLine(info.message ?? info.reason ?? "no reason given")}`);
  });
}

/** The first error reported since the last call, with how many followed it; undefined when none. */
export function takeDeviceError(): string | undefined {
  if (pending.length === 0) return undefined;
  const more = pending.length - 1;
  const first = pending[0]!;
  pending.length = 0;
  return more > 0 ? `${first} (and ${more} more)` : first;
}

function firstLine(message: string): string {
  return message.split("\n").map((s) => s.trim()).find((s) => s !== "") ?? message;
}

interface BufferPool {
  freeBuffers: Map<string, { destroy(): void; size: number }[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
}

/**
 * The multiple batch lengths are padded to on the active backend: 16 on webgpu, where tfjs compiles
 * kernels per shape and every new length costs shader compilations and descriptor pools; 1 elsewhere.
 */
export function lengthMultiple(): number {
  return tf.getBackend() === "webgpu" ? 16 : 1;
}

let collect: (() => void) | undefined;

/** A full garbage collection, exposed through V8's flag at first use. */
function fullGc(): void {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === "function") collect = exposed;
    else {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as () => void;
    }
  }
  collect();
}

/**
 * Housekeeping between steps on webgpu (nothing on other backends). tfjs keeps every released buffer for
 * reuse by exact size, and batches of new lengths keep adding sizes, so the pool grows without bound: it is
 * emptied here. dawn.node releases a bind group only when V8 collects its wrapper, and V8 does not see the
 * native memory behind thousands of them; on lavapipe each one is a mapping, and the process dies at the
 * kernel's 65,530 mappings after a few steps. A full collection here returns them.
 */
export function settleDevice(): void {
  if (tf.getBackend() !== "webgpu") return;
  const pool = (tf.backend() as unknown as { bufferManager?: BufferPool }).bufferManager;
  if (pool?.freeBuffers instanceof Map) {
    for (const buffers of pool.freeBuffers.values()) {
      for (const b of buffers) {
        pool.numBytesAllocated -= b.size;
        b.destroy();
      }
      buffers.length = 0;
    }
    pool.numFreeBuffers = 0;
  }
  fullGc();
}
