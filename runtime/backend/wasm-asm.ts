/**
 * A small WebAssembly assembler for kernels that run on the wasm backend's own heap: LEB128 and section
 * encoding, the instructions the kernels use (i32 arithmetic, f32 and SIMD f32x4 loads, stores and
 * arithmetic, loops), a module of i32-parameter functions that imports the memory `env.memory` (shared
 * on the threaded build), one instance per memory and module, and the registration of the kernels that
 * run on a backend's heap.
 */
import * as tf from "@tensorflow/tfjs";

/** Value type i32. */
export const I32 = 0x7f;
/** Value type f32. */
export const F32 = 0x7d;
/** Value type v128. */
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A vector: its length, then its items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => {
  const bytes = new TextEncoder().encode(s);
  return [...uleb(bytes.length), ...bytes];
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** local.get. */
export const get = (l: number): number[] => [0x20, ...uleb(l)];
/** local.set. */
export const set = (l: number): number[] => [0x21, ...uleb(l)];
/** i32.const. */
export const i32 = (n: number): number[] => [0x41, ...sleb(n)];
/** i32.add. */
export const ADD = 0x6a;
/** i32.mul. */
export const MUL = 0x6c;
/** i32.load at a byte offset from the address on the stack. */
export const iLoad = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
/** f32.store at a byte offset from the address below the value on the stack. */
export const fStore = (offset: number): number[] => [0x38, 2, ...uleb(offset)];
/** i32.shl. */
export const SHL = 0x74;
/** i32.gt_s. */
export const GT_S = 0x4a;
/** i32.ge_s. */
export const GE_S = 0x4e;
/** i32.gt_u. */
export const GT_U = 0x4b;
/** i32.ge_u. */
export const GE_U = 0x4f;
/** A SIMD instruction (prefix 0xfd) with its immediates. */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** v128.load at a byte offset (4-byte alignment hint). */
export const vLoad = (offset: number): number[] => simd(0x00, 2, ...uleb(offset));
/** v128.store at a byte offset (4-byte alignment hint). */
export const vStore = (offset: number): number[] => simd(0x0b, 2, ...uleb(offset));
/** v128.load32_splat at a byte offset: one float read into all four lanes. */
export const vLoadSplat = (offset: number): number[] => simd(0x09, 2, ...uleb(offset));
/** v128.const of zeros. */
export const V_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
/** f32x4.splat. */
export const V_SPLAT = simd(0x13);
/** f32x4.add. */
export const V_ADD = simd(228);
/** f32x4.mul. */
export const V_MUL = simd(230);
/** f32x4.relaxed_madd (relaxed SIMD): a·b + c, fused into one rounding where the machine has FMA. */
export const V_RELAXED_MADD = simd(0x105);

/**
 * `acc + a·b` on f32x4 values (each the code that pushes one): mul then add, rounded twice, or with
 * `fused` relaxed SIMD's multiply-add, which V8 compiles to one FMA instruction where the CPU has one.
 */
export const vMulAdd = (fused: boolean, acc: number[], a: number[], b: number[]): number[] =>
  fused ? [...a, ...b, ...acc, ...V_RELAXED_MADD] : [...acc, ...a, ...b, ...V_MUL, ...V_ADD];

/** f32x4.sub. */
export const V_SUB = simd(229);
/** f32x4.div. */
export const V_DIV = simd(231);
/** f32.load at the address on the stack (4-byte alignment hint, no offset). */
export const F_LOAD = [0x2a, 2, 0];
/** f32.store at the address on the stack (4-byte alignment hint, no offset). */
export const F_STORE = [0x38, 2, 0];
/** f32.const. */
export const f32 = (f: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(f).buffer)];
/** f32.add. */
export const F_ADD = 0x92;
/** f32.sub. */
export const F_SUB = 0x93;
/** f32.mul. */
export const F_MUL = 0x94;

/** `block; loop; <exit when cond>; body; br 0; end; end`: a loop that checks `exit` (an i32) first. */
export const whileNot = (exit: number[], body: number[]): number[] => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...exit,
  0x0d,
  1,
  ...body,
  0x0c,
  0,
  0x0b,
  0x0b,
];
/** `local += step` (i32). */
export const bump = (l: number, step: number[]): number[] => [...get(l), ...step, ADD, ...set(l)];
/** `for row in 0..rows: body` (`row` and `rows` i32 locals). */
export const rowLoop = (row: number, rows: number, body: number[]): number[] => [
  ...i32(0),
  ...set(row),
  ...whileNot([...get(row), ...get(rows), GE_S], [...body, ...bump(row, i32(1))]),
];
/** `local = base + row·cols` floats, as byte offsets (`row` pushes the row index; `cols` is a local). */
export const rowPointer = (local: number, base: number, row: number[], cols: number): number[] => [
  ...get(base),
  ...row,
  ...get(cols),
  MUL,
  ...i32(2),
  SHL,
  ADD,
  ...set(local),
];

/**
 * A loop over n floats (the i32 local `n`, counted in the i32 local `idx`): each input [pointer parameter,
 * vector local] is loaded, `body` runs, and each output [pointer parameter, vector local] is stored; four
 * elements a step, then the rest one at a time (splat into the vectors, lane 0 stored).
 */
export function elementwiseLoop(
  n: number,
  idx: number,
  inputs: readonly (readonly [number, number])[],
  body: readonly number[],
  outputs: readonly (readonly [number, number])[],
): number[] {
  const addr = (p: number): number[] => [...get(p), ...get(idx), ...i32(2), SHL, ADD];
  const vectors = inputs.flatMap(([p, l]) => [...addr(p), ...vLoad(0), ...set(l)]);
  const scalars = inputs.flatMap(([p, l]) => [...addr(p), ...F_LOAD, ...V_SPLAT, ...set(l)]);
  const stores = outputs.flatMap(([p, l]) => [...addr(p), ...get(l), ...vStore(0)]);
  const lanes = outputs.flatMap(([p, l]) => [...addr(p), ...get(l), ...simd(0x1f, 0), ...F_STORE]);
  return [
    ...i32(0),
    ...set(idx),
    ...whileNot([...get(idx), ...i32(4), ADD, ...get(n), GT_S], [...vectors, ...body, ...stores, ...bump(idx, i32(4))]),
    ...whileNot([...get(idx), ...get(n), GE_S], [...scalars, ...body, ...lanes, ...bump(idx, i32(1))]),
  ];
}

/**
 * One function of a module: `params` i32 parameters, then `floats` f32 ones, the locals' (count, type)
 * runs, the body's code.
 */
export interface WasmFunction {
  readonly name: string;
  readonly params: number;
  readonly floats?: number;
  readonly locals: readonly (readonly [number, number])[];
  readonly code: readonly number[];
}

/** A module of `functions` (exported by name) on the imported memory; `shared`: the threaded build's. */
export function assemble(shared: boolean, functions: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const params = (f: WasmFunction): number[][] => [
    ...new Array<number[]>(f.params).fill([I32]),
    ...new Array<number[]>(f.floats ?? 0).fill([F32]),
  ];
  const types = section(1, vec(functions.map((f) => [0x60, ...vec(params(f)), 0])));
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]]));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const exports = section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const bodies = functions.map((f) => {
    const code = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, 0x0b];
    return [...uleb(code.length), ...code];
  });
  const code = section(10, vec(bodies));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0, ...types, ...imports, ...funcs, ...exports, ...code]);
}

/** A module compiled for one memory: the module (for other threads), its key, and its exports there. */
export interface HeapKernel {
  readonly module: WebAssembly.Module;
  readonly key: string;
  readonly exports: WebAssembly.Exports;
}

const instances = new WeakMap<WebAssembly.Memory, Map<string, HeapKernel | null>>();

/**
 * The module `build(shared)` compiled and instantiated on `memory`, once per memory and `key`; undefined
 * when this engine cannot compile or link it (no SIMD, a memory it cannot import).
 */
export function heapKernel(
  memory: WebAssembly.Memory,
  key: string,
  build: (shared: boolean) => Uint8Array<ArrayBuffer>,
): HeapKernel | undefined {
  let byKey = instances.get(memory);
  if (byKey === undefined) instances.set(memory, (byKey = new Map()));
  if (!byKey.has(key)) {
    try {
      const module = new WebAssembly.Module(build(sharedMemory(memory)));
      byKey.set(key, { module, key, exports: new WebAssembly.Instance(module, { env: { memory } }).exports });
    } catch {
      byKey.set(key, null);
    }
  }
  return byKey.get(key) ?? undefined;
}

/** The exports of `heapKernel(memory, key, build)`. */
export function instantiateOn(
  memory: WebAssembly.Memory,
  key: string,
  build: (shared: boolean) => Uint8Array<ArrayBuffer>,
): WebAssembly.Exports | undefined {
  return heapKernel(memory, key, build)?.exports;
}

/** True for the dtypes of 4-byte elements (float32 and int32), which the copying kernels move as words. */
export const fourBytes = (dtype: tf.DataType): boolean => dtype === "float32" || dtype === "int32";

/** True when `memory` is shared (the threaded build's). */
export const sharedMemory = (memory: WebAssembly.Memory): boolean =>
  typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;

/**
 * Work on [0, total) in chunks: a chunk [start, end) is the call of the export with the arguments
 * `base[i] + perStart[i]·start + perEnd[i]·end` (at most 8).
 */
export interface SharedWork {
  readonly total: number;
  readonly chunk: number;
  readonly base: readonly number[];
  readonly perStart: readonly number[];
  readonly perEnd: readonly number[];
}

/** The arguments of the chunk [start, end) of `work`. */
export const chunkArgs = (work: SharedWork, start: number, end: number): number[] =>
  work.base.map((b, i) => b + work.perStart[i]! * start + work.perEnd[i]! * end);

/** Runs a kernel's work on more than one thread at once (heap-pool.ts in Node). */
export interface HeapRunner {
  readonly threads: number;
  /**
   * Calls the export `name` of `kernel` for every chunk of `work`, the threads (the caller among them)
   * taking chunks as they finish others, and returns when all are done.
   */
  share(kernel: HeapKernel, name: string, work: SharedWork): void;
}

const runners = new WeakMap<WebAssembly.Memory, HeapRunner>();

/** Makes `runner` run the parallel kernels on `memory` (undefined: none). */
export function useHeapRunner(memory: WebAssembly.Memory, runner: HeapRunner | undefined): void {
  if (runner === undefined) runners.delete(memory);
  else runners.set(memory, runner);
}

/** The runner of the parallel kernels on `memory`, if one was set. */
export function heapRunner(memory: WebAssembly.Memory): HeapRunner | undefined {
  return runners.get(memory);
}

/**
 * Multiply-adds (or elements, times 16) below which a kernel runs on the calling thread alone: a product
 * of 8 MFLOP takes about as long on one thread as waking another here (a step of the bundled example's
 * median batch was 1-7% faster with this bound than with a quarter of it, with adapters' products on one
 * thread).
 */
export const PARALLEL_WORK = 2 ** 22;

/** Chunks per thread a shared kernel's work is cut into, so that a thread slowed down is made up for. */
const CHUNKS_PER_THREAD = 4;

/**
 * Calls `name` of `kernel` on `memory` over [0, total) with `args(start, end)`, which must be linear in
 * start and end (pointers and counts are): in chunks (multiples of `align` but the last) taken by the
 * threads of the memory's runner when `work` reaches PARALLEL_WORK, else once on the calling thread.
 */
export function callShared(
  memory: WebAssembly.Memory,
  kernel: HeapKernel,
  name: string,
  total: number,
  align: number,
  work: number,
  args: (start: number, end: number) => readonly number[],
): void {
  if (total <= 0) return;
  const runner = work < PARALLEL_WORK ? undefined : heapRunner(memory);
  if (runner === undefined || runner.threads < 2 || total <= align) {
    (kernel.exports[name] as (...a: number[]) => void)(...args(0, total));
    return;
  }
  const chunk = Math.ceil(total / (runner.threads * CHUNKS_PER_THREAD) / align) * align;
  const base = args(0, 0);
  const [once, ends] = [args(1, 0), args(0, 1)];
  const perStart = once.map((v, i) => v - base[i]!);
  const perEnd = ends.map((v, i) => v - base[i]!);
  runner.share(kernel, name, { total, chunk, base, perStart, perEnd });
}

/** The parts of tfjs-backend-wasm's BackendWasm that kernels on its heap use. */
interface WasmBackendLike {
  wasm: { wasmMemory?: unknown; asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** A wasm backend's heap: its memory, a tensor's byte offset there, and a new output tensor. */
export interface WasmHeap {
  readonly memory: WebAssembly.Memory;
  offset(t: tf.TensorInfo): number;
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/**
 * The heap of `backend` when it is tfjs-backend-wasm's (the memory is exported by the single-threaded
 * build and imported by the threaded one); undefined otherwise.
 */
export function wasmHeap(backend: unknown): WasmHeap | undefined {
  const be = backend as Partial<WasmBackendLike> | undefined;
  if (be?.wasm === undefined || be.dataIdMap === undefined || be.makeOutput === undefined) return undefined;
  const memory = be.wasm.wasmMemory ?? be.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  const { dataIdMap } = be;
  return {
    memory,
    offset: (t) => dataIdMap.get(t.dataId)!.memoryOffset,
    makeOutput: (shape, dtype) => be.makeOutput!(shape, dtype),
  };
}

/**
 * Registers `kernels` (kernel name to function) on `backendName` when that backend is tfjs-backend-wasm's
 * and `runs` answers for its memory (the kernels' module instantiates there); true when they are
 * registered, now or before (the first name is checked).
 */
export function registerHeapKernels(
  backendName: string,
  kernels: Readonly<Record<string, tf.KernelConfig["kernelFunc"]>>,
  runs: (memory: WebAssembly.Memory) => unknown = () => true,
): boolean {
  const names = Object.keys(kernels);
  if (names[0] !== undefined && tf.getKernel(names[0], backendName) !== undefined) return true;
  const heap = wasmHeap(tf.engine().findBackend(backendName));
  if (heap === undefined || runs(heap.memory) === undefined) return false;
  for (const kernelName of names) tf.registerKernel({ kernelName, backendName, kernelFunc: kernels[kernelName]! });
  return true;
}
