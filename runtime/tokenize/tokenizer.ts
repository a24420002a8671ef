/**
 * Text to token ids with the model's own `tokenizer.json` (Hugging Face format), through the maintained
 * pure-JS `@huggingface/tokenizers`. Adds what it lacks: truncation to `max_length` (longest first for
 * pairs) that keeps the special tokens, and token type ids for pairs.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";

/** One encoded example, before padding. */
export interface Encoded {
  readonly ids: Int32Array;
  readonly typeIds: Int32Array;
}

/** Encodes texts (and text pairs) to at most `maxLength` ids. */
export interface TextEncoder {
  encode(text: string, pair: string | null, maxLength: number): Encoded;
  readonly padId: number;
  readonly vocabSize: number;
}

interface Specials {
  cls: number;
  sep: number;
  pad: number;
}

function specialsOf(json: Record<string, unknown>, tok: Tokenizer): Specials {
  const id = (t: string): number | undefined => tok.token_to_id(t);
  const post = json["post_processor"] as {
    cls?: [string, number];
    sep?: [string, number];
    special_tokens?: Record<string, { ids: number[] }>;
  } | null;
  const fromTemplate = (name: string): number | undefined => post?.special_tokens?.[name]?.ids[0];
  const cls = post?.cls?.[1] ?? fromTemplate("[CLS]") ?? id("[CLS]") ?? id("<s>") ?? 0;
  const sep = post?.sep?.[1] ?? fromTemplate("[SEP]") ?? id("[SEP]") ?? id("</s>") ?? 0;
  const padding = json["padding"] as { pad_id?: number } | null;
  const pad = padding?.pad_id ?? id("[PAD]") ?? id("<pad>") ?? 0;
  return { cls, sep, pad };
}

/** Cuts the longer of two id lists one token at a time until both fit in `budget` together. */
export function truncatePair(a: number[], b: number[] | null, budget: number): void {
  if (b === null) {
    if (a.length > budget) a.length = Math.max(0, budget);
    return;
  }
  while (a.length + b.length > budget) {
    if (a.length >= b.length) a.pop();
    else b.pop();
  }
}

class HfEncoder implements TextEncoder {
  readonly padId: number;
  readonly vocabSize: number;
  constructor(
    private readonly tok: Tokenizer,
    private readonly sp: Specials,
  ) {
    this.padId = sp.pad;
    this.vocabSize = tok.get_vocab(true).size;
  }

  encode(text: string, pair: string | null, maxLength: number): Encoded {
    const a = this.tok.encode(text, { add_special_tokens: false }).ids;
    const b = pair === null ? null : this.tok.encode(pair, { add_special_tokens: false }).ids;
    truncatePair(a, b, maxLength - (b === null ? 2 : 3));
    const ids = [this.sp.cls, ...a, this.sp.sep, ...(b === null ? [] : [...b, this.sp.sep])];
    const typeIds = ids.map((_, i) => (i < a.length + 2 ? 0 : 1));
    return { ids: Int32Array.from(ids), typeIds: Int32Array.from(typeIds) };
  }
}

/** Loads `tokenizer.json` (with `tokenizer_config.json` beside it when present). */
export function loadTokenizer(path: string): StageResult<TextEncoder | null> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return {
      value: null,
      diagnostics: [{ ...diag("ADAPT910", FILE_START, `the tokenizer cannot be read: ${why}`), file: path }],
    };
  }
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(readFileSync(join(dirname(path), "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
  } catch {
    config = {};
  }
  try {
    const tok = new Tokenizer(json, config);
    return { value: new HfEncoder(tok, specialsOf(json, tok)), diagnostics: [] };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [{ ...diag("ADAPT910", FILE_START, `the tokenizer is not supported: ${why}`), file: path }],
    };
  }
}
