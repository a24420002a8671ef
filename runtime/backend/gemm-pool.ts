/**
 * Threads for the dense kernel of wasm-gemm.ts in Node: worker threads that instantiate the kernel's
 * modules on the wasm backend's shared heap and take a share of a product's rows. XNNPACK's own thread
 * pool runs in emscripten's pthreads, which a kernel of ours cannot join; these workers wait on an
 * Atomics word of their own between products (no CPU while they wait) and are unreferenced, so they
 * never keep a finished process alive. A worker that fails or does not answer is given up: its rows are
 * computed on the calling thread and the pool runs there from then on.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { GEMM_ROWS, type GemmKernel, type GemmRunner } from "./wasm-gemm.ts";

/**
 * Words of a worker's control block: the job's sequence number, the one it finished, its status (0 while
 * starting, 1 ready, 2 failed), the module's id, the arguments.
 */
const [SEQ, DONE, STATUS, MODULE, ARGS] = [0, 1, 2, 3, 4];
const [READY, FAILED] = [1, 2];
/** How long the caller waits for a worker's rows before it gives the worker up, in ms. */
const PATIENCE_MS = 60_000;

const WORKER = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { memory, control, port } = workerData;
const c = control;
const kernels = [];
let seen = 0;
Atomics.store(c, ${STATUS}, ${READY});
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  if (seen < 0) break;
  try {
    const id = c[${MODULE}];
    while (kernels[id] === undefined) {
      const got = receiveMessageOnPort(port);
      if (got === undefined) throw new Error("no module " + id);
      kernels[got.message.id] = new WebAssembly.Instance(got.message.module, { env: { memory } }).exports.gemm;
    }
    const a = ${ARGS};
    kernels[id](c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7]);
  } catch {
    Atomics.store(c, ${STATUS}, ${FAILED});
  }
  Atomics.store(c, ${DONE}, seen);
  Atomics.notify(c, ${DONE});
}
`;

interface Helper {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly port: MessagePort;
  readonly sent: Set<string>;
}

/**
 * A pool of `threads - 1` workers on `memory` (the caller is the first thread). A product is shared with
 * the workers that have started; until then the caller runs it alone.
 */
export class GemmPool implements GemmRunner {
  private helpers: Helper[] = [];
  private seq = 0;
  private readonly ids = new Map<string, number>();

  constructor(memory: WebAssembly.Memory, threads: number) {
    for (let i = 1; i < threads; i++) {
      const control = new Int32Array(new SharedArrayBuffer(4 * (ARGS + 8)));
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER, {
        eval: true,
        workerData: { memory, control, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      worker.on("error", () => this.giveUp());
      this.helpers.push({ worker, control, port: port1, sent: new Set() });
    }
  }

  /** Threads a product is split over: the caller and the workers still running. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Threads ready to take a share now: the caller and the workers that have started. */
  get started(): number {
    return this.helpers.filter((h) => Atomics.load(h.control, STATUS) === READY).length + 1;
  }

  /** Runs rows [0, m) of `kernel` with `args` (a, b, c, bias, and panels p0..p1), split by rows over the threads. */
  run(kernel: GemmKernel, args: readonly [number, number, number, number], m: number, panels: number): void {
    const ready = this.helpers.filter((h) => Atomics.load(h.control, STATUS) === READY);
    const share = Math.ceil(m / (ready.length + 1) / GEMM_ROWS) * GEMM_ROWS;
    const started: [Helper, number, number][] = [];
    this.seq++;
    for (let i = 0; i < ready.length; i++) {
      const r0 = share * (i + 1);
      const r1 = Math.min(m, r0 + share);
      if (r0 >= r1) break;
      const h = ready[i]!;
      this.post(h, kernel);
      h.control.set([this.ids.get(kernel.key)!, ...args, r0, r1, 0, panels], MODULE);
      Atomics.store(h.control, SEQ, this.seq);
      Atomics.notify(h.control, SEQ);
      started.push([h, r0, r1]);
    }
    kernel.run(...args, 0, Math.min(m, share), 0, panels);
    let failed = false;
    for (const [h, r0, r1] of started) {
      if (failed || !this.finished(h)) {
        failed = true;
        kernel.run(...args, r0, r1, 0, panels);
      }
    }
    if (failed) this.giveUp();
  }

  /** Ends the workers; products then run on the calling thread alone. */
  close(): void {
    for (const h of this.helpers) {
      Atomics.store(h.control, SEQ, -1);
      Atomics.notify(h.control, SEQ);
      void h.worker.terminate();
    }
    this.helpers = [];
  }

  /** Sends `kernel`'s module to `h` the first time `h` runs it. */
  private post(h: Helper, kernel: GemmKernel): void {
    if (h.sent.has(kernel.key)) return;
    if (!this.ids.has(kernel.key)) this.ids.set(kernel.key, this.ids.size);
    h.port.postMessage({ id: this.ids.get(kernel.key), module: kernel.module });
    h.sent.add(kernel.key);
  }

  /** Waits for `h` to finish the current job; false when it failed or did not answer in time. */
  private finished(h: Helper): boolean {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      const done = Atomics.load(h.control, DONE);
      if (done === this.seq) return Atomics.load(h.control, STATUS) === READY;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(h.control, DONE, done, left);
    }
  }

  private giveUp(): void {
    if (this.helpers.length > 0) this.close();
  }
}
