/**
 * The GPU device between steps. Errors a device reports on its own (WebGPU validation errors such as a
 * shader that does not compile, out of memory, internal errors, a lost device) are not surfaced by tfjs:
 * the failed work leaves garbage in its output buffers and training goes on with wrong numbers. The
 * webgpu backend's device is watched from the moment it is selected; the training loop and the test
 * group ask `takeDeviceError` after each step and fail with the first message. `settleDevice` releases
 * what tfjs and dawn.node hold on to between steps.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@tensorflow/tfjs";

/** The part of a GPUDevice this module uses. */
export interface WatchedDevice {
  addEventListener(type: "uncapturederror", listener: (event: { error?: { message?: string } }) => void): void;
  readonly lost?: Promise<{ reason?: string; message?: string }>;
  createBindGroup?: (descriptor: unknown) => unknown;
}

const pending: string[] = [];
const watched = new WeakSet<object>();
let bindGroups = 0;

/**
 * Starts collecting the device's uncaptured errors and its loss, and counting its bind groups (once per
 * device).
 */
export function watchDevice(device: WatchedDevice): void {
  if (watched.has(device)) return;
  watched.add(device);
  const create = device.createBindGroup?.bind(device);
  if (create !== undefined) {
    device.createBindGroup = (descriptor) => {
      bindGroups += 1;
      return create(descriptor);
    };
  }
  device.addEventListener("uncapturederror", (event) => {
    pending.push(firstLine(event.error?.message ?? "unknown device error"));
  });
  void device.lost?.then((info) => {
    if (info.reason !== "destroyed")
      pending.push(`the device was lost: ${firstLine(info.message ?? info.reason ?? "no reason given")}`);
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
  return (
    message
      .split("\n")
      .map((s) => s.trim())
      .find((s) => s !== "") ?? message
  );
}

interface BufferPool {
  freeBuffers: Map<string, { destroy(): void; size: number }[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
}

/** Free pooled buffers beyond which the pool is emptied (count, bytes). */
const POOL_LIMIT = { buffers: 2048, bytes: 256 * 2 ** 20 };
/** Bind groups created since the last collection beyond which V8 collects (lavapipe dies at 65,530 mappings). */
const BIND_GROUP_LIMIT = 8192;

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

function emptyPool(pool: BufferPool): void {
  for (const buffers of pool.freeBuffers.values()) {
    for (const b of buffers) {
      pool.numBytesAllocated -= b.size;
      b.destroy();
    }
    buffers.length = 0;
  }
  pool.numFreeBuffers = 0;
}

/**
 * Housekeeping between steps on webgpu (nothing on other backends). tfjs keeps every released buffer for
 * reuse by exact size, and batches of new lengths keep adding sizes, so the pool grows without bound: past
 * POOL_LIMIT (or always, with `force`) it is emptied. dawn.node releases a bind group only when V8 collects
 * its wrapper, and V8 does not see the native memory behind thousands of them; on lavapipe each one holds
 * a mapping, and the process died at the kernel's 65,530 mappings after a few steps. Past BIND_GROUP_LIMIT
 * new bind groups (or with `force`) V8 collects.
 */
export function settleDevice(force = false): void {
  if (tf.getBackend() !== "webgpu") return;
  const pool = (tf.backend() as unknown as { bufferManager?: BufferPool }).bufferManager;
  if (pool?.freeBuffers instanceof Map) {
    const free = pool.numBytesAllocated - pool.numBytesUsed;
    if (force || pool.numFreeBuffers > POOL_LIMIT.buffers || free > POOL_LIMIT.bytes) emptyPool(pool);
  }
  if (force || bindGroups >= BIND_GROUP_LIMIT) {
    bindGroups = 0;
    fullGc();
  }
}
