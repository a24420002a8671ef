#!/usr/bin/env python3
"""PyTorch reference for the adapter training step of scripts/native/adapter-layer.ts.

The same BERT encoder layer with two Houlsby adapters: self-attention (Q, K, V, O), adapter,
residual + LayerNorm, GELU (tanh) feed-forward d -> 4d -> d, adapter, residual + LayerNorm; the
attention and feed-forward weights are frozen, the adapters and LayerNorms train with Adam (lr 1e-3)
on a mean squared error. Also times a square float32 matMul.

Prints one JSON object on stdout: {"torch": version, "threads": n, "steps_per_s": x,
"step_ms": [...], "cpu_s_per_step": c (CPU time of all threads), "matmul_gflops": y, ...}. Needs only torch (CPU is enough); run it with
the Python that has torch, e.g. `python bench/torch_step.py --hidden 384 --threads 2`.
"""
import argparse
import json
import math
import time

import torch
from torch import nn
from torch.nn import functional as F


class Adapter(nn.Module):
    """Houlsby bottleneck: h + up(gelu(down(h)))."""

    def __init__(self, d: int, m: int):
        super().__init__()
        self.down = nn.Linear(d, m)
        self.up = nn.Linear(m, d)
        for lin in (self.down, self.up):
            nn.init.uniform_(lin.weight, -0.01, 0.01)
            nn.init.zeros_(lin.bias)

    def forward(self, h):
        return h + self.up(F.gelu(self.down(h), approximate="tanh"))


class AdapterLayer(nn.Module):
    """A post-LN BERT layer with adapters after attention and after the feed-forward block."""

    def __init__(self, d: int, heads: int, m: int):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ff1 = nn.Linear(d, 4 * d)
        self.ff2 = nn.Linear(4 * d, d)
        self.ad1, self.ad2 = Adapter(d, m), Adapter(d, m)
        self.ln1 = nn.LayerNorm(d, eps=1e-12)
        self.ln2 = nn.LayerNorm(d, eps=1e-12)
        for frozen in (self.q, self.k, self.v, self.o, self.ff1, self.ff2):
            frozen.requires_grad_(False)

    def attention(self, x):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)
        ctx = torch.softmax(scores, dim=-1) @ v
        return self.o(ctx.transpose(1, 2).reshape(b, t, d))

    def forward(self, x):
        h1 = self.ln1(x + self.ad1(self.attention(x)))
        ff = self.ff2(F.gelu(self.ff1(h1), approximate="tanh"))
        return self.ln2(h1 + self.ad2(ff))


def time_steps(model, x, target, steps: int, warmup: int):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-3)
    times = []
    cpu0 = time.process_time()
    for i in range(warmup + steps):
        if i == warmup:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    cpu_s = (time.process_time() - cpu0) / steps
    return times, cpu_s, sum(p.numel() for p in params), loss.item()


def matmul_gflops(n: int, reps: int) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    (a @ b).sum()
    t0 = time.perf_counter()
    for _ in range(reps):
        (a @ b).sum()
    return 2 * n**3 * reps / (time.perf_counter() - t0) / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hidden", type=int, default=384)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--bottleneck", type=int, default=64)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0: torch's default)")
    p.add_argument("--matmul", type=int, default=1024, help="size n of the n x n matMul timed (0: skip)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = AdapterLayer(a.hidden, a.heads, a.bottleneck)
    x = torch.rand(a.batch, a.seq, a.hidden) * 2 - 1
    target = torch.rand(a.batch, a.seq, a.hidden) * 2 - 1
    times, cpu_s, trainable, loss = time_steps(model, x, target, a.steps, a.warmup)
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "sizes": {k: getattr(a, k) for k in ("hidden", "heads", "bottleneck", "seq", "batch")},
        "trainable": trainable,
        "loss": loss,
        "step_ms": [round(t * 1000, 1) for t in times],
        "steps_per_s": len(times) / sum(times),
        "cpu_s_per_step": cpu_s,
    }
    if a.matmul > 0:
        out["matmul_n"] = a.matmul
        out["matmul_gflops"] = matmul_gflops(a.matmul, 5)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
