/**
 * Loads the tensors of a Hugging Face BERT checkpoint into a model made by `buildBert`: each layer takes
 * the tensors named after it (`<layer>.weight`, `<layer>.bias`; `gamma`/`beta` in old LayerNorms), with
 * PyTorch's `[out, in]` Linear weights transposed to tfjs's `[in, out]` kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { closest } from "../../compiler/diagnostics/suggest.ts";
import type { SafeTensor, SafeTensors } from "./safetensors.ts";

/** Checkpoint tensors that are buffers or task heads rather than encoder weights; never reported. */
const IGNORED = [/(^|\.)embeddings\.position_ids$/, /^cls\./, /^classifier\./, /^qa_outputs\./];

/** The prefix of the encoder's tensor names: `bert.` in task checkpoints, none in a bare `BertModel`. */
export function checkpointPrefix(tensors: SafeTensors): string {
  if (tensors.has("embeddings.word_embeddings.weight")) return "";
  for (const name of tensors.keys()) {
    const m = /^(.*\.)embeddings\.word_embeddings\.weight$/.exec(name);
    if (m?.[1] !== undefined) return m[1];
  }
  return "";
}

/** The checkpoint names that fill each weight of `layer`, in the order of `layer.weights`. */
function sourceNames(layer: tf.layers.Layer): string[][] {
  const cls = layer.getClassName();
  if (cls === "Dense") return [[`${layer.name}.weight`], [`${layer.name}.bias`]];
  if (cls === "LayerNormalization") {
    return [
      [`${layer.name}.weight`, `${layer.name}.gamma`],
      [`${layer.name}.bias`, `${layer.name}.beta`],
    ];
  }
  if (cls === "Embedding" || cls === "PositionEmbedding") return [[`${layer.name}.weight`]];
  return layer.weights.map(() => []);
}

interface Ctx {
  readonly tensors: SafeTensors;
  readonly prefix: string;
  readonly file: string;
  readonly used: Set<string>;
  readonly diagnostics: Diagnostic[];
}

function toTensor(src: SafeTensor, transpose: boolean): tf.Tensor {
  const t = tf.tensor(src.values as Float32Array, [...src.shape], "float32");
  if (!transpose) return t;
  const out = tf.transpose(t);
  t.dispose();
  return out;
}

function findSource(ctx: Ctx, candidates: readonly string[]): [string, SafeTensor] | null {
  for (const c of candidates) {
    const t = ctx.tensors.get(ctx.prefix + c);
    if (t !== undefined) return [ctx.prefix + c, t];
  }
  return null;
}

function loadLayer(layer: tf.layers.Layer, ctx: Ctx): void {
  const names = sourceNames(layer);
  const values: tf.Tensor[] = [];
  names.forEach((candidates, i) => {
    const target = layer.weights[i];
    if (target === undefined || candidates[0] === undefined) return;
    const found = findSource(ctx, candidates);
    if (found === null || found[1].values === null) {
      const near = closest(ctx.prefix + candidates[0], [...ctx.tensors.keys()], 3);
      ctx.diagnostics.push({
        ...diag(
          "ADAPT964",
          FILE_START,
          `tensor \`${ctx.prefix + candidates[0]}\` for layer \`${layer.name}\` is missing or not floating point`,
          near.length ? { notes: [`closest tensors: ${near.join(", ")}`] } : {},
        ),
        file: ctx.file,
      });
      return;
    }
    const [name, src] = found;
    ctx.used.add(name);
    const transpose = layer.getClassName() === "Dense" && src.shape.length === 2;
    const shape = transpose ? [...src.shape].reverse() : [...src.shape];
    if (shape.join(",") !== target.shape.join(",")) {
      ctx.diagnostics.push({
        ...diag(
          "ADAPT965",
          FILE_START,
          `tensor \`${name}\` has shape [${src.shape.join(", ")}] but layer \`${layer.name}\` needs [${target.shape.join(", ")}]${transpose ? " transposed" : ""}`,
        ),
        file: ctx.file,
      });
      return;
    }
    values.push(toTensor(src, transpose));
  });
  if (values.length === layer.weights.length && values.length > 0) layer.setWeights(values);
  values.forEach((v) => v.dispose());
}

function unused(ctx: Ctx): Diagnostic[] {
  const left = [...ctx.tensors.keys()].filter((n) => !ctx.used.has(n) && !IGNORED.some((r) => r.test(n)));
  if (left.length === 0) return [];
  const shown = left
    .slice(0, 5)
    .map((n) => `\`${n}\``)
    .join(", ");
  return [
    {
      ...diag(
        "ADAPT966",
        FILE_START,
        `${left.length} checkpoint tensor(s) have no layer in the imported model: ${shown}${left.length > 5 ? ", ..." : ""}`,
        { help: left.some((n) => n.includes("pooler.")) ? "pass `--pooler` to import the pooler" : undefined },
      ),
      file: ctx.file,
    },
  ];
}

/**
 * Copies the checkpoint's tensors into `model`'s layers. Errors for missing or mis-shaped tensors;
 * a warning for checkpoint tensors that no layer takes. The value is the number of weights loaded.
 */
export function loadBertWeights(model: tf.LayersModel, tensors: SafeTensors, file: string): StageResult<number> {
  const ctx: Ctx = { tensors, prefix: checkpointPrefix(tensors), file, used: new Set(), diagnostics: [] };
  for (const layer of model.layers) if (layer.weights.length > 0) loadLayer(layer, ctx);
  return { value: ctx.used.size, diagnostics: [...ctx.diagnostics, ...unused(ctx)] };
}
