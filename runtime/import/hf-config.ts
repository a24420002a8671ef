/**
 * Reads a Hugging Face `config.json` of a BERT-family encoder into a {@link BertConfig}, with coded
 * diagnostics for malformed or unsupported configs.
 */
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { didYouMean } from "../../compiler/diagnostics/suggest.ts";
import { BERT_ACTIVATIONS, type BertActivation, type BertConfig } from "../bert/config.ts";
import { jsonText } from "../../compiler/model/safe-json.ts";

/** The `model_type` values this importer reads. */
export const SUPPORTED_MODEL_TYPES = ["bert"] as const;

const INTEGER_KEYS = {
  vocabSize: "vocab_size",
  hiddenSize: "hidden_size",
  numHiddenLayers: "num_hidden_layers",
  numAttentionHeads: "num_attention_heads",
  intermediateSize: "intermediate_size",
  maxPositionEmbeddings: "max_position_embeddings",
  typeVocabSize: "type_vocab_size",
} as const;

/** The largest model the importer builds: float32 weights of at most 8 GiB. */
export const MAX_IMPORT_PARAMS = 2 ** 31;
/** The largest value any size in the config may have. */
const MAX_SIZE = 2 ** 24;

/** An own property of a parsed JSON object (never one inherited from the prototype). */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The parameters of the BERT the sizes describe (embeddings, layers, pooler), for the size bound. */
function bertParams(c: Record<string, number>): number {
  const h = c["hiddenSize"]!;
  const i = c["intermediateSize"]!;
  const embeddings = (c["vocabSize"]! + c["maxPositionEmbeddings"]! + c["typeVocabSize"]! + 2) * h;
  const layer = 4 * (h * h + h) + 2 * h * i + i + h + 4 * h;
  return embeddings + c["numHiddenLayers"]! * layer + h * h + h;
}

function locate(text: string, key: string): Diagnostic["span"] {
  const at = text.indexOf(`"${key}"`);
  if (at < 0) return FILE_START;
  const before = text.slice(0, at).split("\n");
  const line = before.length;
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  return {
    start: { line, column, offset: at },
    end: { line, column: column + key.length + 2, offset: at + key.length + 2 },
  };
}

function checkArchitecture(raw: Record<string, unknown>, text: string, file: string): Diagnostic[] {
  const type = own(raw, "model_type");
  if (type !== undefined && !(SUPPORTED_MODEL_TYPES as readonly unknown[]).includes(type)) {
    return [
      {
        ...diag("ADAPT962", locate(text, "model_type"), `model type \`${jsonText(type)}\` is not supported`, {
          notes: [`supported: ${SUPPORTED_MODEL_TYPES.join(", ")}`],
        }),
        file,
      },
    ];
  }
  const emb = own(raw, "position_embedding_type");
  if (emb !== undefined && emb !== "absolute") {
    return [
      {
        ...diag(
          "ADAPT962",
          locate(text, "position_embedding_type"),
          `position embedding type \`${jsonText(emb)}\` is not supported`,
          { notes: ["supported: absolute"] },
        ),
        file,
      },
    ];
  }
  return [];
}

function readActivation(raw: Record<string, unknown>, text: string, file: string, out: Diagnostic[]): BertActivation {
  const act = own(raw, "hidden_act") ?? "gelu";
  if (typeof act === "string" && Object.hasOwn(BERT_ACTIVATIONS, act)) return act as BertActivation;
  const hint = didYouMean(jsonText(act), Object.keys(BERT_ACTIVATIONS));
  out.push({
    ...diag(
      "ADAPT962",
      locate(text, "hidden_act"),
      `activation \`${jsonText(act)}\` is not supported`,
      hint ? { help: hint } : {},
    ),
    file,
  });
  return "gelu";
}

/** Parses the text of `config.json` (named `file` in diagnostics). */
export function parseBertConfig(text: string, file: string): StageResult<BertConfig | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return {
      value: null,
      diagnostics: [
        {
          ...diag(
            "ADAPT961",
            FILE_START,
            `the config is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
          ),
          file,
        },
      ],
    };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { value: null, diagnostics: [{ ...diag("ADAPT961", FILE_START, "the config is not a JSON object"), file }] };
  }
  const obj = raw as Record<string, unknown>;
  const diagnostics = checkArchitecture(obj, text, file);
  const ints: Record<string, number> = {};
  for (const [field, key] of Object.entries(INTEGER_KEYS)) {
    const v = own(obj, key) ?? (key === "type_vocab_size" ? 2 : undefined);
    if (typeof v === "number" && Number.isInteger(v) && v > 0 && v <= MAX_SIZE) ints[field] = v;
    else if (typeof v === "number" && Number.isInteger(v) && v > MAX_SIZE)
      diagnostics.push({
        ...diag(
          "ADAPT961",
          locate(text, key),
          `\`${key}\` is ${v}, more than the largest size this importer builds (${MAX_SIZE})`,
        ),
        file,
      });
    else diagnostics.push({ ...diag("ADAPT961", locate(text, key), `\`${key}\` must be a positive integer`), file });
  }
  const hiddenAct = readActivation(obj, text, file, diagnostics);
  if (diagnostics.length > 0) return { value: null, diagnostics };
  if ((ints["hiddenSize"] ?? 0) % (ints["numAttentionHeads"] ?? 1) !== 0) {
    return {
      value: null,
      diagnostics: [
        {
          ...diag(
            "ADAPT961",
            locate(text, "num_attention_heads"),
            "`hidden_size` is not a multiple of `num_attention_heads`",
          ),
          file,
        },
      ],
    };
  }
  const params = bertParams(ints);
  if (params > MAX_IMPORT_PARAMS) {
    const msg = `the config describes a model of about ${params.toExponential(2)} parameters, more than the ${MAX_IMPORT_PARAMS} this importer builds`;
    return {
      value: null,
      diagnostics: [
        {
          ...diag("ADAPT961", FILE_START, msg, {
            help: "check `vocab_size`, `hidden_size`, `intermediate_size` and `num_hidden_layers`",
          }),
          file,
        },
      ],
    };
  }
  const eps = own(obj, "layer_norm_eps");
  const drop = own(obj, "hidden_dropout_prob");
  const value = {
    ...(ints as unknown as Omit<BertConfig, "hiddenAct" | "layerNormEps" | "hiddenDropoutProb">),
    hiddenAct,
    layerNormEps: typeof eps === "number" && Number.isFinite(eps) && eps > 0 ? eps : 1e-12,
    hiddenDropoutProb: typeof drop === "number" && drop >= 0 && drop < 1 ? drop : 0.1,
  };
  return { value, diagnostics: [] };
}
