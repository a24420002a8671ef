/**
 * A batched matMul kernel in WebAssembly SIMD that runs on the wasm backend's own heap. tfjs-backend-wasm
 * runs a product whose operands both carry a batch (attention's) as a scalar loop on one thread, and
 * XNNPACK per batch entry pays an operator's creation and, on the threaded build, a thread-pool dispatch
 * for every small product (measured: 8-10x more CPU time than on one thread). This module is assembled
 * here, byte by byte, and instantiated on the backend's WebAssembly.Memory (shared on the threaded build),
 * so it reads the operands and writes the result in place: no copies, no threads. Each output element is
 * the sum of a[i, p] * b[p, j] over p in order, in float32, four and sixteen columns at a time.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
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

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, "utf8")];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const get = (l: number): number[] => [0x20, ...uleb(l)];
const set = (l: number): number[] => [0x21, ...uleb(l)];
const i32 = (n: number): number[] => [0x41, ...sleb(n)];
const ADD = 0x6a;
const MUL = 0x6c;
const SHL = 0x74;
const GT_S = 0x4a;
const GE_S = 0x4e;
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const vLoad = (offset: number): number[] => simd(0x00, 2, ...uleb(offset));
const vStore = (offset: number): number[] => simd(0x0b, 2, ...uleb(offset));
const V_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const V_SPLAT = simd(0x13);
const V_ADD = simd(228);
const V_MUL = simd(230);

/** `block; loop; <exit when cond>; body; br 0; end; end`: a loop that checks `exit` (an i32) first. */
const whileNot = (exit: number[], body: number[]): number[] => [
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
const bump = (l: number, step: number[]): number[] => [...get(l), ...step, ADD, ...set(l)];

// Parameters: a, b, c (byte offsets), g, m, k, n; then the locals below.
const [A, B, C, G, M, K, N] = [0, 1, 2, 3, 4, 5, 6];
const [GI, I, J, P, AP, BP, AROW, CROW, NB] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
const S = 16;
const ACC = [17, 18, 19, 20];
const AV = 21;

/** The inner product loop over p for `width` columns from j: accumulators in ACC (vectors) or S (scalar). */
function columns(width: 16 | 4 | 1): number[] {
  const accs = width === 1 ? [S] : ACC.slice(0, width / 4);
  const init = width === 1 ? [0x43, 0, 0, 0, 0, ...set(S)] : accs.flatMap((l) => [...V_ZERO, ...set(l)]);
  const start = [...get(AROW), ...set(AP), ...get(B), ...get(J), ...i32(2), SHL, ADD, ...set(BP), ...i32(0), ...set(P)];
  const step =
    width === 1
      ? [...get(S), ...get(AP), 0x2a, 2, 0, ...get(BP), 0x2a, 2, 0, 0x94, 0x92, ...set(S)]
      : [
          ...get(AP),
          0x2a,
          2,
          0,
          ...V_SPLAT,
          ...set(AV),
          ...accs.flatMap((l, q) => [
            ...get(l),
            ...get(AV),
            ...get(BP),
            ...vLoad(16 * q),
            ...V_MUL,
            ...V_ADD,
            ...set(l),
          ]),
        ];
  const inner = whileNot(
    [...get(P), ...get(K), GE_S],
    [...step, ...bump(AP, i32(4)), ...bump(BP, get(NB)), ...bump(P, i32(1))],
  );
  const out = [...get(CROW), ...get(J), ...i32(2), SHL, ADD];
  const store =
    width === 1 ? [...out, ...get(S), 0x38, 2, 0] : accs.flatMap((l, q) => [...out, ...get(l), ...vStore(16 * q)]);
  return whileNot(
    [...get(J), ...i32(width), ADD, ...get(N), GT_S],
    [...init, ...start, ...inner, ...store, ...bump(J, i32(width))],
  );
}

/** The body of `bmm(a, b, c, g, m, k, n)`. */
function body(): number[] {
  const row = [
    ...get(A),
    ...get(I),
    ...get(K),
    MUL,
    ...i32(2),
    SHL,
    ADD,
    ...set(AROW),
    ...get(C),
    ...get(I),
    ...get(N),
    MUL,
    ...i32(2),
    SHL,
    ADD,
    ...set(CROW),
    ...i32(0),
    ...set(J),
    ...columns(16),
    ...columns(4),
    ...columns(1),
    ...bump(I, i32(1)),
  ];
  const entry = [
    ...i32(0),
    ...set(I),
    ...whileNot([...get(I), ...get(M), GE_S], row),
    ...bump(A, [...get(M), ...get(K), MUL, ...i32(2), SHL]),
    ...bump(B, [...get(K), ...get(NB), MUL]),
    ...bump(C, [...get(M), ...get(N), MUL, ...i32(2), SHL]),
    ...bump(GI, i32(1)),
  ];
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(1), F32],
    [...uleb(5), V128],
  ]);
  const code = [
    ...locals,
    ...get(N),
    ...i32(2),
    SHL,
    ...set(NB),
    ...i32(0),
    ...set(GI),
    ...whileNot([...get(GI), ...get(G), GE_S], entry),
    0x0b,
  ];
  return [...uleb(code.length), ...code];
}

/** The module's bytes; `shared` says whether the imported memory is shared (the threaded build's). */
export function bmmModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const type = section(1, vec([[0x60, ...vec(new Array<number[]>(7).fill([I32])), 0]]));
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]]));
  const funcs = section(3, vec([[0]]));
  const exports = section(7, vec([[...name("bmm"), 0x00, 0]]));
  const code = section(10, vec([body()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/** c[e] = a[e] · b[e] for e < g, each [m, k] · [k, n], float32 row-major, at byte offsets of the memory. */
export type Bmm = (a: number, b: number, c: number, g: number, m: number, k: number, n: number) => void;

const kernels = new WeakMap<WebAssembly.Memory, Bmm | null>();

/** The kernel instantiated on `memory` (once per memory); undefined when this engine cannot run it. */
export function bmmOn(memory: WebAssembly.Memory): Bmm | undefined {
  let k = kernels.get(memory);
  if (k === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
      const mod = new WebAssembly.Module(bmmModuleBytes(shared));
      k = new WebAssembly.Instance(mod, { env: { memory } }).exports["bmm"] as Bmm;
    } catch {
      k = null;
    }
    kernels.set(memory, k);
  }
  return k ?? undefined;
}
