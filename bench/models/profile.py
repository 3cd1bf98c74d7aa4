#!/usr/bin/python3
"""Phase timings of the models bench workload in PyTorch (see profile.ts): batch prep, forward, backward,
clipping, Adam; inference prep and forward. Prints one JSON object of medians (seconds)."""
import argparse
import json
import os
import random
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
p.add_argument("--ids", required=True)
p.add_argument("--iters", type=int, default=4)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--width", type=int, default=64)
p.add_argument("--len", type=int, default=12288)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
ids = a.ids.split(",")[:a.batch]
records = []
for rid in ids:
    gain = float(open(os.path.join(a.dir, rid + ".hea")).read().split("\n")[1].split()[2].split("/")[0])
    records.append(scipy.io.loadmat(os.path.join(a.dir, rid + ".mat"))["val"].astype(np.float32) / gain)
net = MaLiangNet(1, 4, width=a.width)
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
weight = torch.ones(4)


def batch(L):
    sigs = []
    for x in records:
        m = np.abs(x).max(axis=1, keepdims=True)
        sigs.append(np.where(m > 0, x / np.where(m > 0, m, 1), x))
    x = np.zeros((len(sigs), 1, L), np.float32)
    mask = np.zeros((len(sigs), 1, L), np.float32)
    for j, s in enumerate(sigs):
        x[j, :, :s.shape[1]] = s
        mask[j, :, :s.shape[1]] = 1
    return torch.from_numpy(x), torch.from_numpy(mask)


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


ph = {k: [] for k in ["prep", "forward", "backward", "clip", "adam", "cpu_step", "infer_prep", "infer_forward", "cpu_infer"]}
y = torch.tensor([i % 4 for i in range(len(records))])
net.train()
for i in range(a.iters + 1):
    c0 = cpu(); t0 = time.perf_counter()
    x, mask = batch(a.len); t1 = time.perf_counter()
    loss = F.cross_entropy(net(x, mask), y, weight=weight); t2 = time.perf_counter()
    opt.zero_grad(set_to_none=True); loss.backward(); t3 = time.perf_counter()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0); t4 = time.perf_counter()
    opt.step(); loss.item(); t5 = time.perf_counter()
    if i == 0:
        continue
    for k, v in zip(["prep", "forward", "backward", "clip", "adam"], [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]):
        ph[k].append(v)
    ph["cpu_step"].append(cpu() - c0)
net.eval()
with torch.no_grad():
    for i in range(a.iters + 1):
        c0 = cpu(); t0 = time.perf_counter()
        x, mask = batch(9216); t1 = time.perf_counter()
        torch.softmax(net(x, mask), 1).numpy(); t2 = time.perf_counter()
        if i == 0:
            continue
        ph["infer_prep"].append(t1 - t0); ph["infer_forward"].append(t2 - t1); ph["cpu_infer"].append(cpu() - c0)
print(json.dumps({k: sorted(v)[len(v) // 2] for k, v in ph.items()}))
