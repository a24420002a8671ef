/**
 * Threads for adapt's kernels on the wasm backend's heap in Node: worker threads that instantiate the
 * kernels' modules on the shared heap and take chunks of a kernel's work (rows of a product, entries of
 * a batch, runs of elements) from a shared counter, the caller too, so a thread slowed down by other
 * work on its core takes fewer. XNNPACK's own thread pool runs in emscripten's pthreads, which a kernel of
 * ours cannot join; these workers wait on an Atomics word of their own between calls (no CPU while they
 * wait) and are unreferenced, so they never keep a finished process alive. A worker that fails or does
 * not answer is given up: the whole work is computed again on the calling thread (the same values), and
 * the pool runs there from then on.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { chunkArgs, type HeapKernel, type HeapRunner, type SharedWork } from "./wasm-asm.ts";

/**
 * Words of a worker's control block: the job's sequence number, the one it finished, its status (0
 * while starting, 1 ready, 2 failed), the module's id, the export's index, the argument count, the
 * total and the chunk, then 8 bases, 8 factors of a chunk's start and 8 of its end.
 */
const [SEQ, DONE, STATUS, MODULE, EXPORT, ARGC, TOTAL, CHUNK, BASE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const MAX_ARGS = 8;
const [READY, FAILED] = [1, 2];
/** How long the caller waits for a worker's share before it gives the worker up, in ms. */
const PATIENCE_MS = 60_000;

const WORKER = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { memory, control: c, counter, port } = workerData;
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
      const { exports } = new WebAssembly.Instance(got.message.module, { env: { memory } });
      kernels[got.message.id] = WebAssembly.Module.exports(got.message.module).map((e) => exports[e.name]);
    }
    const fn = kernels[id][c[${EXPORT}]];
    const [argc, total, chunk] = [c[${ARGC}], c[${TOTAL}], c[${CHUNK}]];
    const args = new Array(argc);
    for (let start = Atomics.add(counter, 0, chunk); start < total; start = Atomics.add(counter, 0, chunk)) {
      const end = Math.min(total, start + chunk);
      for (let i = 0; i < argc; i++)
        args[i] = c[${BASE} + i] + c[${BASE + MAX_ARGS} + i] * start + c[${BASE + 2 * MAX_ARGS} + i] * end;
      fn(...args);
    }
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
 * A pool of `threads - 1` workers on `memory` (the caller is the first thread). Work is shared with the
 * workers that have started; until then the caller runs it alone.
 */
export class HeapPool implements HeapRunner {
  private helpers: Helper[] = [];
  private seq = 0;
  private readonly ids = new Map<string, number>();
  /** The index of an export among its module's (`key name`), as the workers number them. */
  private readonly exportIndex = new Map<string, number>();
  /** The next chunk's start, taken by the threads with Atomics.add. */
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));

  constructor(memory: WebAssembly.Memory, threads: number) {
    for (let i = 1; i < threads; i++) {
      const control = new Int32Array(new SharedArrayBuffer(4 * (BASE + 3 * MAX_ARGS)));
      const { port1, port2 } = new MessageChannel();
      const workerData = { memory, control, counter: this.counter, port: port2 };
      const worker = new Worker(WORKER, { eval: true, workerData, transferList: [port2] });
      worker.unref();
      port1.unref();
      worker.on("error", () => this.giveUp());
      this.helpers.push({ worker, control, port: port1, sent: new Set() });
    }
  }

  /** Threads work is shared over: the caller and the workers still running. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Threads ready to take a share now: the caller and the workers that have started. */
  get started(): number {
    return this.ready().length + 1;
  }

  share(kernel: HeapKernel, name: string, work: SharedWork): void {
    const fn = kernel.exports[name] as (...args: number[]) => void;
    const index = this.indexOf(kernel, name);
    const started = work.total > work.chunk ? this.ready() : [];
    this.seq++;
    Atomics.store(this.counter, 0, 0);
    for (const h of started) {
      this.post(h, kernel);
      const words = [this.ids.get(kernel.key)!, index, work.base.length, work.total, work.chunk];
      h.control.set(words, MODULE);
      for (const [i, row] of [work.base, work.perStart, work.perEnd].entries()) h.control.set(row, BASE + i * MAX_ARGS);
      Atomics.store(h.control, SEQ, this.seq);
      Atomics.notify(h.control, SEQ);
    }
    for (let start = Atomics.add(this.counter, 0, work.chunk); start < work.total;) {
      fn(...chunkArgs(work, start, Math.min(work.total, start + work.chunk)));
      start = Atomics.add(this.counter, 0, work.chunk);
    }
    if (!started.every((h) => this.finished(h))) {
      this.giveUp();
      fn(...chunkArgs(work, 0, work.total));
    }
  }

  /** Ends the workers; calls then run on the calling thread alone. */
  close(): void {
    for (const h of this.helpers) {
      Atomics.store(h.control, SEQ, -1);
      Atomics.notify(h.control, SEQ);
      void h.worker.terminate();
    }
    this.helpers = [];
  }

  private ready(): Helper[] {
    return this.helpers.filter((h) => Atomics.load(h.control, STATUS) === READY);
  }

  /** The index of `name` among the exports of `kernel`'s module, found once per kernel and name. */
  private indexOf(kernel: HeapKernel, name: string): number {
    const key = `${kernel.key} ${name}`;
    let index = this.exportIndex.get(key);
    if (index === undefined) {
      index = WebAssembly.Module.exports(kernel.module).findIndex((e) => e.name === name);
      this.exportIndex.set(key, index);
    }
    return index;
  }

  /** Sends `kernel`'s module to `h` the first time `h` runs it. */
  private post(h: Helper, kernel: HeapKernel): void {
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
