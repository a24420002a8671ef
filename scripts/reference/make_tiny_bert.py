"""Makes the tiny random BERT checkpoint and its reference outputs used by runtime/import's tests.

Usage: /work/venv-ref/bin/python scripts/reference/make_tiny_bert.py OUT_DIR
Writes OUT_DIR/{config.json, model.safetensors, tokenizer.json, reference.json}. Weights are drawn with
a fixed seed and spread wider than BERT's init so that a wrong mapping cannot hide behind tiny values.
"""
import os
import sys

import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertModel

from common import run_reference, write_json

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["the", "movie", "was", "great", "bad", "not", "good", "food", "service", "phone", "battery", "love", "it", "!", ".", ","]


def vocabulary(size):
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    tokens = SPECIAL + WORDS + letters + ["##" + c for c in letters]
    return {t: i for i, t in enumerate(tokens[:size])}


def write_tokenizer(out_dir, vocab):
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    return tok


def randomize(model):
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith("LayerNorm.weight"):
                p.copy_(1.0 + 0.2 * noise)
            elif name.endswith("bias") or "LayerNorm" in name:
                p.copy_(0.1 * noise)
            else:
                p.copy_(0.2 * noise)


def batches(tok):
    enc = tok.encode_batch(["the movie was great!", "not good", "the phone battery was bad, love it."])
    width = max(len(e.ids) for e in enc)
    pad = lambda xs, v: [x + [v] * (width - len(x)) for x in xs]
    text = {"input_ids": pad([e.ids for e in enc], 0), "attention_mask": pad([e.attention_mask for e in enc], 0),
            "token_type_ids": pad([e.type_ids for e in enc], 0)}
    gen = torch.Generator().manual_seed(7)
    ids = torch.randint(5, 68, (2, 12), generator=gen).tolist()
    mixed = {"input_ids": ids, "attention_mask": [[1] * 12, [1] * 9 + [0] * 3],
             "token_type_ids": [[0] * 6 + [1] * 6, [0] * 4 + [1] * 5 + [0] * 3]}
    return [text, mixed]


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    config = BertConfig(vocab_size=68, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, hidden_act="gelu", max_position_embeddings=40,
                        type_vocab_size=2, layer_norm_eps=1e-12)
    torch.manual_seed(0)
    model = BertModel(config, add_pooling_layer=True)
    randomize(model)
    model.save_pretrained(out_dir, safe_serialization=True)
    tok = write_tokenizer(out_dir, vocabulary(config.vocab_size))
    write_json(os.path.join(out_dir, "reference.json"), run_reference(out_dir, batches(tok)))


if __name__ == "__main__":
    main()
