#!/usr/bin/python3
"""The Python PyTorch side of bench/robustness/bench.ts: one PGD step and one training step of each defence
(ce, advls with PGD-k, Jacobian exact and projected, NSR) on Ma & Liang's CNN, with the twins in
packages/models/fixtures/robustness_torch.py, on the batch and initial weights bench.ts wrote (--input, a
safetensors file), so both sides compute the same thing. Not run by tests. Protocol: one "ready" line, then one
command per line ("<case>" runs it once and answers {"s": seconds, "faults": minor page faults}; "quit").
"""
import argparse
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../packages/models/fixtures"))
from ma_liang_torch import MaLiangNet  # noqa: E402
import robustness_torch as R  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--input", required=True)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--width", type=int, default=64)
p.add_argument("--depth", default="2,2,2,2")
p.add_argument("--groups", type=int, default=32)
p.add_argument("--classes", type=int, default=4)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def load_safetensors(path):
    """safetensors by hand: 8-byte little-endian header length, JSON header, raw little-endian data."""
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        b, e = h["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype=kinds[h["dtype"]]).reshape(h["shape"]).copy())
    return out


t = load_safetensors(a.input)
x, mask, y = t["input.x"], t["input.mask"], t["input.labels"]
net = MaLiangNet(x.shape[1], a.classes, width=a.width, depth=tuple(int(d) for d in a.depth.split(",")), groups=a.groups)
net.load_state_dict({k[4:]: v for k, v in t.items() if k.startswith("net.")})
opt = torch.optim.Adam(net.parameters(), lr=1e-4)
EPS = 0.01


def step(loss):
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def pgd_step():
    net.eval()
    xn = R.max_abs(x, mask)[0]
    R.perturb(net, xn, mask, y, None, dict(eps=EPS, norm="inf", loss="ce", steps=1, step_size=EPS / 10, random_start=False, range=(-1, 1)), None)
    net.train()


def ce():
    step(F.cross_entropy(net(R.max_abs(x, mask)[0], mask), y))


def advls(k, ratio):
    # The random start from torch.rand (the idiomatic PyTorch draw); ecglab draws it from its seeded Rng.
    step(R.advls_loss(net, x, mask, y, eps=EPS, beta=0.5, steps=k, step_ratio=ratio, loss="margin", rng=None)[0])


def jacobian(exact):
    xn = R.max_abs(x, mask)[0].detach().requires_grad_(True)
    z = net(xn, mask)
    pen = R.jacobian_penalty(z, xn) if exact else R.projected_jacobian_penalty(z, xn, 1, R.Rng(1))
    step(F.cross_entropy(z, y) + 44 * pen)


def nsr():
    xn = R.max_abs(x, mask)[0].detach().requires_grad_(True)
    mse, margin, term = R.nsr_terms(net(xn, mask), xn, y, 1.0)
    step(mse + margin + term)


CASES = {
    "pgd-step": pgd_step, "ce": ce, "advls-pgd1": lambda: advls(1, 1.25), "advls-pgd5": lambda: advls(5, 0.2),
    "advls-pgd20": lambda: advls(20, 0.2), "jacobian-exact": lambda: jacobian(True),
    "jacobian-projection": lambda: jacobian(False), "nsr": nsr,
}
net.train()
print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "quit":
        break
    if cmd not in CASES:
        print(json.dumps({"error": f"unknown case {cmd!r}"}), flush=True)
        continue
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t0 = time.perf_counter()
    CASES[cmd]()
    s = time.perf_counter() - t0
    print(json.dumps({"s": s, "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0}), flush=True)
