/**
 * Side by side on the wasm backend, in one run: tfjs's own matMul kernels against the fast-matmul wrapper
 * (explicit transpose, then an untransposed product). Prints GFLOP/s of a transposed product, then the
 * time of a full fine-tuning step (forward + gradients of every weight) of a MiniLM-sized transformer
 * block, the ratio, and the largest gradient difference. Usage: `npx tsx bench/wasm-matmul.ts [reps]`.
 */
import "./relaxed-simd.ts";
import * as tf from "@tensorflow/tfjs";
import { installFastMatMul } from "../runtime/backend/fast-matmul.ts";
import { seededTensor } from "../runtime/backend/compare.ts";
import { tryWasm } from "../runtime/backend/wasm.ts";
import { B, H, T, block, blockWeights } from "./block.ts";

const REPS = Number(process.argv[2] ?? 5);

/** Median wall time of `fn` over REPS runs after one warm-up, in ms. */
async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** max |a - b| / max |b|. */
function scaledDiff(a: number[], b: number[]): number {
  let d = 0;
  let s = 0;
  b.forEach((v, i) => {
    d = Math.max(d, Math.abs(a[i]! - v));
    s = Math.max(s, Math.abs(v));
  });
  return d / s;
}

/** Runs `fn` with tfjs's kernels, then with the wrapper. */
async function both<T>(fn: () => Promise<T>): Promise<[T, T]> {
  const plain = await fn();
  const undo = installFastMatMul();
  const fast = await fn();
  undo();
  return [plain, fast];
}

async function main(): Promise<void> {
  const ok = await tryWasm(false);
  if (!ok.ok) throw new Error(`wasm backend unavailable: ${ok.reason}`);
  const [n, k, m] = [512, 384, 1536];
  const a = seededTensor(1, [n, k]);
  const b = seededTensor(2, [m, k]);
  const flops = 2 * n * k * m;
  const untransposed = await timeIt(async () => tf.matMul(a, b.transpose()).data());
  const [tPlain, tFast] = await both(() => timeIt(async () => tf.matMul(a, b, false, true).data()));
  const gf = (ms: number) => (flops / ms / 1e6).toFixed(2);
  console.log(
    `matMul ${n}x${k} · (${m}x${k})ᵀ: tfjs ${gf(tPlain)} GFLOP/s, wrapper ${gf(tFast)} GFLOP/s ` +
      `(explicit transpose + plain product ${gf(untransposed)}); ratio ${(tPlain / tFast).toFixed(2)}x`,
  );

  const x = seededTensor(3, [B, T, H]).mul(0.5) as tf.Tensor3D;
  const w = blockWeights();
  const step = async () => {
    const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => block(x, ws))(w);
    const out = [...(await value.data()), ...(await Promise.all(grads.map((g) => g.data()))).flatMap((d) => [...d])];
    tf.dispose([value, ...grads]);
    return out;
  };
  const [gPlain, gFast] = await both(step);
  const [sPlain, sFast] = await both(() => timeIt(step));
  console.log(
    `fine-tuning step of one ${H}-wide block, batch ${B}x${T}: tfjs ${sPlain.toFixed(0)} ms, wrapper ` +
      `${sFast.toFixed(0)} ms; ratio ${(sPlain / sFast).toFixed(2)}x; max gradient difference ` +
      `${scaledDiff(gFast, gPlain).toExponential(1)} of the largest`,
  );
}

await main();
