/**
 * Side-by-side benchmark of the native TensorFlow backend: an n x n matMul (GFLOP/s, plain and with the
 * second operand transposed) and the adapter training step of adapter-layer.ts (steps/s), on
 * `tensorflow` (tfjs-node built by scripts/native-backend), `wasm` (with adapt's fast matMul gradients)
 * and PyTorch (bench/torch_step.py, same layer sizes), all in one run, with the ratios.
 *
 * Usage: npx tsx scripts/native/bench-layer.ts [--hidden 384] [--heads 12] [--steps 5] [--python PATH] [--threads 2]
 * The Python with torch is `--python`, else $ADAPT_TORCH_PYTHON, else `python3`; without torch the
 * PyTorch column says why it is missing. Never asserts timings: it only prints them.
 */
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { TENSORFLOW_BUILDS, tryTensorflow } from "../../runtime/backend/tensorflow.ts";
import { tryWasm } from "../../runtime/backend/wasm.ts";
import { MINILM_LAYER, createAdapterLayer, disposeLayer, trainStep, type LayerSizes } from "./adapter-layer.ts";

/** What one backend measured; `error` says why it could not run. */
export interface Column {
  readonly name: string;
  readonly stepsPerS?: number;
  readonly stepMs?: readonly number[];
  /** CPU seconds (all threads of the process) per step: less sensitive than wall time to a busy machine. */
  readonly cpuSPerStep?: number;
  readonly matmulGflops?: number;
  readonly matmulTransposedGflops?: number;
  readonly error?: string;
}

function timeMatMul(n: number, transposeB: boolean, reps = 5): number {
  const a = tf.randomUniform([n, n], -1, 1, "float32", 1);
  const b = tf.randomUniform([n, n], -1, 1, "float32", 2);
  // not tf.tidy(() => ...dataSync()): tidy walks every element of a returned typed array
  const once = (): void => {
    const c = tf.matMul(a, b, false, transposeB);
    c.dataSync();
    c.dispose();
  };
  once();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) once();
  const s = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (2 * n ** 3 * reps) / s / 1e9;
}

function timeSteps(sizes: LayerSizes, steps: number, warmup: number): { ms: number[]; cpuS: number } {
  const layer = createAdapterLayer(sizes);
  const opt = tf.train.adam(1e-3);
  const ms: number[] = [];
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    trainStep(layer, opt);
    if (i >= warmup) ms.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  opt.dispose();
  disposeLayer(layer);
  return { ms, cpuS: (cpu.user + cpu.system) / 1e6 / steps };
}

async function measureTfjs(
  name: string,
  up: () => Promise<{ ok: boolean; reason?: string }>,
  o: Options,
): Promise<Column> {
  const a = await up();
  if (!a.ok) return { name, error: a.reason ?? "not available" };
  const { ms: stepMs, cpuS } = timeSteps(o.sizes, o.steps, o.warmup);
  return {
    name,
    stepMs,
    cpuSPerStep: cpuS,
    stepsPerS: (1000 * stepMs.length) / stepMs.reduce((x, y) => x + y, 0),
    ...(o.matmul > 0
      ? { matmulGflops: timeMatMul(o.matmul, false), matmulTransposedGflops: timeMatMul(o.matmul, true) }
      : {}),
  };
}

function measureTorch(o: Options): Column {
  const script = fileURLToPath(new URL("../../bench/torch_step.py", import.meta.url));
  const s = o.sizes;
  const args = [
    script,
    "--hidden",
    `${s.hidden}`,
    "--heads",
    `${s.heads}`,
    "--bottleneck",
    `${s.bottleneck}`,
    "--seq",
    `${s.seq}`,
    "--batch",
    `${s.batch}`,
    "--steps",
    `${o.steps}`,
    "--warmup",
    `${o.warmup}`,
    "--matmul",
    `${o.matmul}`,
    "--threads",
    `${o.threads}`,
  ];
  const r = spawnSync(o.python, args, { encoding: "utf8" });
  const last = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{")) {
    const why = (r.stderr ?? "").trim().split("\n").pop() ?? r.error?.message ?? `exit ${r.status}`;
    return { name: "pytorch", error: `${o.python}: ${why}` };
  }
  const j = JSON.parse(last) as {
    torch: string;
    steps_per_s: number;
    step_ms: number[];
    cpu_s_per_step: number;
    matmul_gflops?: number;
  };
  return {
    name: `pytorch ${j.torch}`,
    stepsPerS: j.steps_per_s,
    stepMs: j.step_ms,
    cpuSPerStep: j.cpu_s_per_step,
    matmulGflops: j.matmul_gflops,
  };
}

interface Options {
  readonly sizes: LayerSizes;
  readonly steps: number;
  readonly warmup: number;
  readonly matmul: number;
  readonly threads: number;
  readonly python: string;
}

function options(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      hidden: { type: "string" },
      heads: { type: "string" },
      steps: { type: "string" },
      warmup: { type: "string" },
      matmul: { type: "string" },
      threads: { type: "string" },
      python: { type: "string" },
    },
  });
  const hidden = Number(v.hidden ?? MINILM_LAYER.hidden);
  return {
    sizes: { ...MINILM_LAYER, hidden, heads: Number(v.heads ?? MINILM_LAYER.heads) },
    steps: Number(v.steps ?? 5),
    warmup: Number(v.warmup ?? 1),
    matmul: Number(v.matmul ?? 1024),
    threads: Number(v.threads ?? 2),
    python: v.python ?? process.env["ADAPT_TORCH_PYTHON"] ?? "python3",
  };
}

const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? "-" : x.toFixed(digits));

/** The printed table: one row per backend, then the ratios of steps/s. */
export function report(cols: readonly Column[], sizes: LayerSizes): string[] {
  const s = sizes;
  const lines = [
    `adapter step: d=${s.hidden} heads=${s.heads} ffn=${4 * s.hidden} bottleneck=${s.bottleneck} seq=${s.seq} batch=${s.batch}`,
    "backend                 steps/s  ms/step  cpu s/step   matMul GFLOP/s  (B transposed)",
  ];
  for (const c of cols) {
    if (c.error !== undefined) lines.push(`${c.name.padEnd(22)}  not measured: ${c.error}`);
    else {
      const ms = c.stepsPerS === undefined ? undefined : 1000 / c.stepsPerS;
      lines.push(
        `${c.name.padEnd(22)} ${fmt(c.stepsPerS, 3).padStart(8)} ${fmt(ms, 0).padStart(8)} ${fmt(c.cpuSPerStep).padStart(11)}` +
          `   ${fmt(c.matmulGflops, 1).padStart(14)}  ${fmt(c.matmulTransposedGflops, 1).padStart(14)}`,
      );
    }
  }
  const ok = cols.filter((c) => c.stepsPerS !== undefined);
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const [a, b] = [ok[i]!, ok[j]!];
      const cpu =
        a.cpuSPerStep !== undefined && b.cpuSPerStep !== undefined
          ? `, by CPU time ${fmt(b.cpuSPerStep / a.cpuSPerStep)}`
          : "";
      lines.push(`steps/s ${a.name} / ${b.name}: ${fmt(a.stepsPerS! / b.stepsPerS!)}${cpu}`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "2";
  const cols: Column[] = [];
  const native = TENSORFLOW_BUILDS[1];
  cols.push(
    await measureTfjs(
      "tensorflow (native)",
      async () => {
        const a = await tryTensorflow(native);
        return a.ok ? a : { ok: false, reason: `${a.reason} (build it with scripts/native-backend)` };
      },
      o,
    ),
  );
  cols.push(await measureTfjs("wasm (fast matMul)", () => tryWasm(true), o));
  cols.push(measureTorch(o));
  for (const line of report(cols, o.sizes)) console.log(line);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
