#!/usr/bin/python3
"""The Python PyTorch side of bench/models/bench.ts: the same Ma & Liang CNN (packages/models/fixtures/
ma_liang_torch.py) and the same pipeline (max-abs per lead, zero-padding to a multiple of the total
stride with a mask, random offsets, class-weighted cross-entropy, clipping, Adam) on the same records,
in bench.ts's record order with its offsets (--order, --offsets), so both sides train on identical batches.
Not run by tests: bench.ts spawns it with /usr/bin/python3, reads one "ready" line, then sends one command per
line ("train K P": plan step K, 0 = warm-up; "infer B P": inference batch B of the length-sorted records; P = fp32, or
bf16 for CPU autocast as ecglab's autocast('bfloat16'); "quit")
and gets back {"s": seconds, "faults": minor page faults} for each, so the two sides can be interleaved step by step.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import scipy.io
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../packages/models/fixtures"))
from ma_liang_torch import MaLiangNet  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--dir", required=True)
p.add_argument("--ids", required=True, help="comma-separated record ids")
p.add_argument("--labels", required=True, help="comma-separated class indices")
p.add_argument("--batch", type=int, default=32)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--width", type=int, default=64)
p.add_argument("--depth", default="2,2,2,2")
p.add_argument("--groups", type=int, default=32)
p.add_argument("--max-len", type=int, default=18000, help="records cut to their first max-len samples (60 s)")
p.add_argument("--order", required=True, help="comma-separated training order of record indices")
p.add_argument("--offsets", required=True, help="per step (warm-up first) ';'-separated, comma-separated offsets")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

ids = a.ids.split(",")
labels = [int(x) for x in a.labels.split(",")]
records = []
for rid in ids:
    gain = float(open(os.path.join(a.dir, rid + ".hea")).read().split("\n")[1].split()[2].split("/")[0])
    records.append(scipy.io.loadmat(os.path.join(a.dir, rid + ".mat"))["val"].astype(np.float32) / gain)
records = [r[:, :a.max_len] for r in records]  # prepareSignal's maxSeconds (evaluation keeps the start)

# PyTorch 1.13 has no mixed-dtype group norm on the CPU: under autocast, a bfloat16 conv output into a float32
# GroupNorm fails ("expected scalar type BFloat16 but found Float"). Normalise in float32 and return the input's
# dtype, as ecglab's F.groupNorm does (and later PyTorch's mixed kernel); a no-op for float32 input.
_group_norm = torch.nn.GroupNorm.forward
torch.nn.GroupNorm.forward = lambda self, x: _group_norm(self, x.float()).to(x.dtype)

depth = tuple(int(x) for x in a.depth.split(","))
net = MaLiangNet(1, 4, width=a.width, depth=depth, groups=a.groups)
S = net.stride
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
weight = torch.ones(4)


def batch(idx, offs):
    # As ecglab's pipeline: records zero-padded (mV) with a mask; the max-abs scaling is the model's first stage, in torch.
    longest = max(o + records[i].shape[1] for o, i in zip(offs, idx))
    L = max(3 * S, -(-longest // S) * S)
    x = np.zeros((len(idx), 1, L), np.float32)
    mask = np.zeros((len(idx), 1, L), np.float32)
    for j, (o, i) in enumerate(zip(offs, idx)):
        s = records[i]
        x[j, :, o:o + s.shape[1]] = s
        mask[j, :, o:o + s.shape[1]] = 1
    x, mask = torch.from_numpy(x), torch.from_numpy(mask)
    peak = (x.abs() * mask).amax(2, keepdim=True)
    return x / torch.where(peak > 0, peak, torch.ones_like(peak)), mask


def train_step(idx, offs, bf16):
    x, mask = batch(idx, offs)
    y = torch.tensor([labels[i] for i in idx])
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        loss = F.cross_entropy(net(x, mask), y, weight=weight)
    opt.zero_grad(set_to_none=True)  # as ecglab's zeroGrad (PyTorch 1.13's default memsets every grad)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
    opt.step()
    return loss.item()


order = [int(x) for x in a.order.split(",")]
offsets = [[int(x) for x in step.split(",")] for step in a.offsets.split(";")]
by_len = sorted(range(len(records)), key=lambda i: records[i].shape[1])


def train_idx(k):  # plan step k (0 = warm-up, the same records as step 1)
    return [order[(max(0, k - 1) * a.batch + j) % len(order)] for j in range(a.batch)]


def infer_batch(b, bf16):
    idx = by_len[b * a.batch:(b + 1) * a.batch]
    with torch.no_grad():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = net(*batch(idx, [0] * len(idx)))
        torch.softmax(logits.float(), 1).numpy()


print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    cmd = line.split()
    if not cmd or cmd[0] == "quit":
        break
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t0 = time.perf_counter()
    bf16 = len(cmd) > 2 and cmd[2] == "bf16"
    if cmd[0] == "train":
        net.train()
        train_step(train_idx(int(cmd[1])), offsets[int(cmd[1])], bf16)
    elif cmd[0] == "infer":
        net.eval()
        infer_batch(int(cmd[1]), bf16)
    else:
        print(json.dumps({"error": f"unknown command {line.strip()!r}"}), flush=True)
        continue
    s = time.perf_counter() - t0
    print(json.dumps({"s": s, "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0}), flush=True)
