/**
 * Batched matMuls (attention's: both operands carry a batch) on XNNPACK. tfjs-backend-wasm hands XNNPACK
 * only products whose operands have batch 1; any other goes to a scalar triple loop on one thread, which
 * made attention's six products per layer about a quarter of a training step. Here each batch entry runs
 * as its own batch-1 product through the package's `BatchMatMul` export: views of the operands' and the
 * output's rows in the wasm heap are registered as tensors (no copies), multiplied, and unregistered,
 * which also deletes the XNNPACK operator made for them. Same sums, same order within each dot product.
 */
import type * as tf from "@tensorflow/tfjs";

type Cwrapped = (...args: (number | boolean | Uint8Array)[]) => void;

interface WasmModuleLike {
  cwrap(name: string, ret: null, args: string[]): Cwrapped;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

const calls = new WeakMap<WasmModuleLike, Cwrapped>();

function batchMatMulExport(module: WasmModuleLike): Cwrapped {
  let f = calls.get(module);
  if (f === undefined) {
    const args = ["number", "array", "number", "number", "array", "number", "number", "number", "number"];
    f = module.cwrap("BatchMatMul", null, args);
    calls.set(module, f);
  }
  return f;
}

const shapeBytes = (shape: number[]): Uint8Array => new Uint8Array(new Int32Array(shape).buffer);

/** The batch size when `a` [..., M, K] and `b` [..., K, N] share leading dimensions (product > 1), else 0. */
export function sharedBatch(a: tf.TensorInfo, b: tf.TensorInfo): number {
  const lead = a.shape.slice(0, -2);
  const same = lead.length === b.shape.length - 2 && lead.every((d, i) => d === b.shape[i]);
  const n = lead.reduce((x, y) => x * y, 1);
  return same && a.dtype === "float32" && b.dtype === "float32" && n > 1 ? n : 0;
}

/**
 * a · b (untransposed, float32, the same leading dimensions of batch > 1) on the wasm backend `backend`,
 * one XNNPACK product per batch entry. Undefined when the backend is not tfjs-backend-wasm's.
 */
export function batchedMatMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | undefined {
  const be = backend as Partial<WasmBackendLike>;
  if (be.wasm?.tfjs === undefined || be.dataIdMap === undefined || be.makeOutput === undefined) return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = sharedBatch(a, b);
  const out = be.makeOutput([...a.shape.slice(0, -2), m, n], "float32");
  const [aOff, bOff, oOff] = [a, b, out].map((t) => be.dataIdMap!.get(t.dataId)!.memoryOffset) as [
    number,
    number,
    number,
  ];
  const { tfjs } = be.wasm;
  const run = batchMatMulExport(be.wasm);
  const [aShape, bShape] = [shapeBytes([1, m, k]), shapeBytes([1, k, n])];
  for (let i = 0; i < batch; i++) {
    const ids = [be.dataIdNextNumber!++, be.dataIdNextNumber!++, be.dataIdNextNumber!++] as [number, number, number];
    tfjs.registerTensor(ids[0], m * k, aOff + 4 * i * m * k);
    tfjs.registerTensor(ids[1], k * n, bOff + 4 * i * k * n);
    tfjs.registerTensor(ids[2], m * n, oOff + 4 * i * m * n);
    run(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
    for (const id of ids) tfjs.disposeData(id);
  }
  return out;
}
