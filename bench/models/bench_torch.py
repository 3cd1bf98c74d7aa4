#!/usr/bin/python3
"""The Python PyTorch side of bench/models/bench.ts: the same Ma & Liang CNN (packages/models/fixtures/
ma_liang_torch.py) and the same pipeline (max-abs per lead, zero-padding to a multiple of the total
stride with a mask, random offsets, class-weighted cross-entropy, clipping, Adam) on the same records.
Prints one JSON object. Not run by tests; bench.ts spawns it with /usr/bin/python3.
"""
import argparse
import json
import os
import random
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
p.add_argument("--steps", type=int, default=6)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--width", type=int, default=64)
p.add_argument("--depth", default="2,2,2,2")
p.add_argument("--groups", type=int, default=32)
p.add_argument("--shift", type=int, default=3000)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
rng = random.Random(0)

ids = a.ids.split(",")
labels = [int(x) for x in a.labels.split(",")]
records = []
for rid in ids:
    gain = float(open(os.path.join(a.dir, rid + ".hea")).read().split("\n")[1].split()[2].split("/")[0])
    records.append(scipy.io.loadmat(os.path.join(a.dir, rid + ".mat"))["val"].astype(np.float32) / gain)

depth = tuple(int(x) for x in a.depth.split(","))
net = MaLiangNet(1, 4, width=a.width, depth=depth, groups=a.groups)
S = net.stride
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
weight = torch.ones(4)


def batch(idx, train):
    sigs = []
    for i in idx:
        x = records[i]
        m = np.abs(x).max(axis=1, keepdims=True)
        sigs.append(np.where(m > 0, x / np.where(m > 0, m, 1), x))
    offs = [rng.randint(0, a.shift) if train else 0 for _ in idx]
    longest = max(o + s.shape[1] for o, s in zip(offs, sigs))
    L = max(3 * S, -(-longest // S) * S)
    x = np.zeros((len(idx), 1, L), np.float32)
    mask = np.zeros((len(idx), 1, L), np.float32)
    for j, (o, s) in enumerate(zip(offs, sigs)):
        x[j, :, o:o + s.shape[1]] = s
        mask[j, :, o:o + s.shape[1]] = 1
    return torch.from_numpy(x), torch.from_numpy(mask)


def train_step(idx):
    x, mask = batch(idx, True)
    y = torch.tensor([labels[i] for i in idx])
    loss = F.cross_entropy(net(x, mask), y, weight=weight)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
    opt.step()
    return loss.item()


order = list(range(len(records)))
rng.shuffle(order)
net.train()
train_step(order[:a.batch])  # warm-up
t0 = time.perf_counter()
n = 0
for s in range(a.steps):
    idx = [order[(s * a.batch + k) % len(order)] for k in range(a.batch)]
    train_step(idx)
    n += len(idx)
train_s = time.perf_counter() - t0

net.eval()
by_len = sorted(range(len(records)), key=lambda i: records[i].shape[1])
with torch.no_grad():
    net(*batch(by_len[:a.batch], False))  # warm-up
    t0 = time.perf_counter()
    for s in range(0, len(by_len), a.batch):
        torch.softmax(net(*batch(by_len[s:s + a.batch], False)), 1).numpy()
infer_s = time.perf_counter() - t0
print(json.dumps({"trainRecordsPerSecond": n / train_s, "inferRecordsPerSecond": len(records) / infer_s,
                  "trainSeconds": train_s, "inferSeconds": infer_s, "torch": torch.__version__, "threads": torch.get_num_threads()}))
