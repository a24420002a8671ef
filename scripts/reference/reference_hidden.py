"""Reference hidden states of a Hugging Face BERT checkpoint for a few sentences (PyTorch, CPU).

Usage: /work/venv-ref/bin/python scripts/reference/reference_hidden.py MODEL_DIR OUT_JSON
Writes one batch: the tokenizer's padded input_ids / attention_mask / token_type_ids and the
BertModel's last_hidden_state (and pooler_output) for SENTENCES.
"""
import sys

from transformers import AutoTokenizer

from common import run_reference, write_json

SENTENCES = [
    "The battery lasts all day and the sound is great.",
    "Worst service ever; we waited an hour for cold food.",
    "A touching, well-acted film.",
    "I would not recommend this phone to anyone!",
]


def main():
    model_dir, out_json = sys.argv[1], sys.argv[2]
    tok = AutoTokenizer.from_pretrained(model_dir)
    enc = tok(SENTENCES, padding=True)
    batch = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    write_json(out_json, run_reference(model_dir, [batch]))


if __name__ == "__main__":
    main()
