/**
 * bench/step-memory: where one training step's memory goes, on the bundled example's model (wasm), for
 * one batch of `--batch` x `--length` tokens, each variant in a fresh process: the peak of live tensor
 * memory above the loaded model (counted per buffer, as the backend allocates and frees it) and the wasm
 * heap after the step (it never shrinks). Variants switch on, one after another, what lowered the peak:
 * `stock` (tfjs's copying Identity, `model.apply`, `tf.variableGrads`), `shared` (the sharing Identity),
 * `backward` (and the lean backward pass), `all` (and the lean forward pass: what `adapt run` does).
 * Usage: `npx tsx bench/step-memory.ts [--length 64] [--batch 32]`.
 */
import "./relaxed-simd.ts";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";

const VARIANTS = ["stock", "shared", "backward", "all"] as const;
const { values } = parseArgs({
  options: {
    length: { type: "string", default: "64" },
    batch: { type: "string", default: "32" },
    variant: { type: "string" },
  },
});
const MB = 1 / (1024 * 1024);

async function measure(variant: (typeof VARIANTS)[number]): Promise<string> {
  const { compileText } = await import("../compiler/compile.ts");
  const { modelFileLoader, readText } = await import("../cli/files.ts");
  const { selectBackend } = await import("../runtime/backend/select.ts");
  const { uninstallSharedIdentity } = await import("../runtime/backend/shared-identity.ts");
  const { buildModel } = await import("../runtime/train/session.ts");
  const { feedFor, inputRoles, lossOf, outputsProbabilities } = await import("../runtime/train/feed.ts");
  const { trainableVariables } = await import("../runtime/train/step.ts");
  const { leanVariableGrads } = await import("../runtime/train/backprop.ts");
  const { leanApply } = await import("../runtime/train/forward.ts");
  const { withSeededRandom } = await import("../runtime/train/prng.ts");
  await selectBackend("wasm");
  if (variant === "stock") uninstallSharedIdentity();
  const spec = join(import.meta.dirname, "../examples/sentiment/houlsby.adapt");
  const compiled = await compileText(readText(spec, process.cwd()), spec, {
    loader: modelFileLoader(dirname(spec)),
    purpose: "run",
  });
  const model = (await buildModel(compiled.value.plan!, dirname(spec))).value!.model;
  const backend = tf.backend() as unknown as {
    wasm: { HEAPU8: Uint8Array };
    dataIdMap: { has(id: object): boolean };
    move(id: object, v: unknown, shape: number[], dtype: string, rc: number): void;
    disposeData(id: object, force?: boolean): boolean;
  };
  let live = 0;
  let peak = 0;
  const sizes = new Map<object, number>();
  const move = backend.move.bind(backend);
  const disposeData = backend.disposeData.bind(backend);
  backend.move = (id, v, shape, dtype, rc) => {
    const n = shape.reduce((a, b) => a * b, 1) * 4;
    sizes.set(id, n);
    live += n;
    peak = Math.max(peak, live);
    move(id, v, shape, dtype, rc);
  };
  backend.disposeData = (id, force) => {
    const had = backend.dataIdMap.has(id);
    const r = disposeData(id, force);
    if (had && !backend.dataIdMap.has(id)) live -= sizes.get(id) ?? 0;
    return r;
  };
  const [size, length] = [Number(values.batch), Number(values.length)];
  const n = size * length;
  const batch = {
    ids: Int32Array.from({ length: n }, (_, i) => 100 + ((i * 7919) % 5000)),
    mask: new Int32Array(n).fill(1),
    typeIds: new Int32Array(n),
    labels: Float32Array.from({ length: size }, (_, i) => i % 2),
    size,
    length,
    indices: [...Array(size).keys()],
  };
  const feed = feedFor(model, inputRoles(model).value!, batch);
  const labels = tf.tensor1d(batch.labels);
  const vars = trainableVariables(model);
  const task = { kind: "classifier", classes: 2 } as const;
  const forward = (): tf.Tensor =>
    variant === "all" ? leanApply(model, feed, true) : (model.apply(feed, { training: true }) as tf.Tensor);
  const f = (): tf.Scalar => lossOf(task, outputsProbabilities(model), forward(), labels);
  const r = withSeededRandom(7, () =>
    variant === "stock" || variant === "shared" ? tf.variableGrads(f, vars) : leanVariableGrads(f, vars),
  );
  const loss = (await r.value.data())[0]!;
  const heap = backend.wasm.HEAPU8.buffer.byteLength;
  return `| ${variant} | ${(peak * MB).toFixed(0)} MB | ${(heap * MB).toFixed(0)} MB | ${loss} |`;
}

if (values.variant !== undefined) {
  console.log(await measure(values.variant as (typeof VARIANTS)[number]));
} else {
  console.log(`one training step of ${values.batch} x ${values.length} tokens, wasm, each in a fresh process`);
  console.log("| variant | peak live tensors above the model | wasm heap after | loss |");
  console.log("|---|---|---|---|");
  for (const variant of VARIANTS) {
    const args = ["--import", "tsx", import.meta.filename, "--variant", variant];
    const r = spawnSync(process.execPath, [...args, "--length", values.length!, "--batch", values.batch!], {
      encoding: "utf8",
    });
    const row = r.stdout.split("\n").find((l) => l.startsWith("|"));
    console.log(row ?? `| ${variant} | failed: ${r.stderr.trim().split("\n").slice(-1)[0]} | | |`);
  }
}
