/**
 * The threaded SIMD build of the wasm backend in Node. tfjs-backend-wasm 4.22 never picks it in Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false there) and its own loader could not start it anyway: it
 * hands emscripten's pthread pool a `blob:` worker script, which Node's worker_threads refuse. This
 * module starts the same build with emscripten's documented module options instead: `locateFile` names
 * a real worker file (the package's worker script, written once to the temp folder), `mainScriptUrlOrBlob`
 * names the glue file the workers load, and `instantiateWasm` reports the core count the thread pool is
 * sized from (the build halves the logical core count and caps it, so on a 2-core machine it would run
 * one thread). Workers the pool did not take are ended, and the pool's own are unreferenced, so a
 * finished run exits and does not hold eight idle isolates.
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The parts of the backend package this module uses. */
export interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(n: number): void;
}

interface Worker {
  terminate(): unknown;
  unref(): void;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread: { unusedWorkers: Worker[]; runningWorkers: Worker[]; terminateAllThreads(): void };
  tfjs?: Record<string, (...a: number[]) => number>;
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const BUILD = "tfjs-backend-wasm-threaded-simd";
/** The most threads the build's pool takes (its C code caps the count at 8). */
export const MAX_WASM_THREADS = 8;

/** Threads the wasm backend runs: `ADAPT_WASM_THREADS` when set, else the machine's cores, at most 8. */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env["ADAPT_WASM_THREADS"]);
  const n = Number.isInteger(asked) && asked > 0 ? asked : availableParallelism();
  return Math.max(1, Math.min(MAX_WASM_THREADS, n));
}

/** True when this runtime can run wasm threads (shared memory and atomics). */
export function threadsAvailable(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** The package's worker script as a real file (content-addressed in the temp folder, written atomically). */
function workerFile(outDir: string): string {
  const req = createRequire(import.meta.url);
  const { wasmWorkerContents } = req(join(outDir, `${BUILD}.worker.js`)) as { wasmWorkerContents: string };
  // The package stores the script in a template literal, which turned its "\n" escapes into newlines.
  const text = wasmWorkerContents.replace(/\n/g, "\\n");
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
  const file = join(tmpdir(), `adapt-wasm-worker-${hash}.cjs`);
  if (!existsSync(file)) {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  }
  return file;
}

/** Starts the threaded build's emscripten module with `threads` threads in its pool. */
async function startModule(threads: number, wasmFile: string): Promise<EmscriptenModule> {
  if (!existsSync(wasmFile)) throw new Error(`${wasmFile} does not exist`);
  const req = createRequire(import.meta.url);
  const outDir = join(dirname(req.resolve("@tensorflow/tfjs-backend-wasm")), "..", "wasm-out");
  const glue = join(outDir, `${BUILD}.js`);
  const factory = req(glue) as Factory;
  const worker = workerFile(outDir);
  let aborted: (reason: unknown) => void = () => {};
  const abort = new Promise<never>((_, reject) => (aborted = reject));
  const config: Record<string, unknown> = {
    locateFile: (path: string) => (path.endsWith(".worker.js") ? worker : join(outDir, path)),
    mainScriptUrlOrBlob: glue,
    onAbort: (what: unknown) => aborted(new Error(`the threaded wasm build aborted: ${String(what)}`)),
    instantiateWasm: (info: { env: Record<string, unknown> }, receive: (i: unknown, m: unknown) => void) => {
      info.env["emscripten_num_logical_cores"] = () => 2 * threads;
      WebAssembly.instantiate(readFileSync(wasmFile), info as WebAssembly.Imports).then(
        (r) => receive(r.instance, r.module),
        (e: unknown) => aborted(e),
      );
      return {};
    },
  };
  try {
    return withBridge(await Promise.race([factory(config), abort]));
  } catch (e) {
    (config as Partial<EmscriptenModule>).PThread?.terminateAllThreads();
    throw e;
  }
}

/** The module with the `tfjs` bridge functions BackendWasm calls (as the package's own loader adds them). */
function withBridge(module: EmscriptenModule): EmscriptenModule {
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  return module;
}

/** Ends the pool's idle workers and lets the running ones not keep the process alive. */
function trimWorkers(module: EmscriptenModule): void {
  const { unusedWorkers, runningWorkers } = module.PThread;
  for (const w of unusedWorkers.splice(0)) void w.terminate();
  for (const w of runningWorkers) w.unref();
}

/**
 * How the last `wasm` backend came up: threads in use, of which XNNPACK's pool runs `xnnpackThreads`
 * (fewer where adapt's own kernels take the products), or why the single-threaded build was taken.
 */
export interface ThreadedOutcome {
  readonly threads: number;
  readonly xnnpackThreads?: number;
  readonly fallback?: string;
}

let outcome: ThreadedOutcome | undefined;
let packageFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;

/** How the wasm backend registered by `registerThreadedWasm` came up (undefined before it has). */
export function threadedOutcome(): ThreadedOutcome | undefined {
  return outcome;
}

/**
 * Replaces the `wasm` backend's factory (before the backend is first made; a made one is removed) with
 * one that starts the threaded SIMD build for `threads` threads, `xnnpackThreads` of them in XNNPACK's
 * pool, and falls back to the package's own factory (the single-threaded build) when that fails.
 */
export function registerThreadedWasm(
  pkg: WasmPackage,
  threads: number,
  wasmFile: string,
  xnnpackThreads = threads,
): void {
  packageFactory ??= tf.findBackendFactory("wasm") ?? undefined;
  const original = packageFactory;
  if (original === undefined) return;
  tf.removeBackend("wasm");
  tf.registerBackend(
    "wasm",
    async () => {
      try {
        pkg.setThreadsCount(xnnpackThreads);
        const module = await startModule(xnnpackThreads, wasmFile);
        const backend = new pkg.BackendWasm(module);
        trimWorkers(module);
        const pool = module.tfjs!["getThreadsCount"]!();
        outcome = { threads: xnnpackThreads < threads ? threads : pool, xnnpackThreads: pool };
        return backend;
      } catch (e) {
        outcome = { threads: 1, fallback: e instanceof Error ? e.message : String(e) };
        pkg.setThreadsCount(1);
        return original();
      }
    },
    2,
  );
}
