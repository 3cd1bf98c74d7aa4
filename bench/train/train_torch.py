#!/usr/bin/python3
"""The PyTorch side of bench/train/run.ts: the recipe of configs/cinc2017.yaml (Ma & Liang CNN, GroupNorm 32,
max-abs scaling inside the model, zero-padding to a multiple of the total stride with a mask, random shifts of up
to 10 s in training, length-bucketed shuffled batches of 32, balanced class weights, Adam 3e-4 with a cosine
schedule after one warm-up epoch, clipping at 5, validation every epoch) on the train/validation split run.ts
hands over (--plan, JSON: dir, train and val ids and labels, epochs, seed), so both sides train on the same records.
Prints one JSON line per epoch with the time by phase (data / forward / backward / optimizer / validation, seconds
summed over the epoch) and the train steps' minor page faults, as ecglab's trainer logs them.
Not run by tests.
"""
import argparse
import json
import math
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
p.add_argument("--plan", required=True)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
plan = json.load(open(a.plan))
torch.set_num_threads(a.threads)
torch.manual_seed(plan["seed"])
rng = random.Random(plan["seed"])
FS, BATCH, SHIFT, MAX_LEN, K = 300, 32, 10 * 300, 60 * 300, 4


def read(rid):
    gain = float(open(os.path.join(plan["dir"], rid + ".hea")).read().split("\n")[1].split()[2].split("/")[0])
    return (scipy.io.loadmat(os.path.join(plan["dir"], rid + ".mat"))["val"].astype(np.float32) / gain)[:, :MAX_LEN]


# Records read once, as ecglab's pipeline conforms them once and keeps them in memory.
train_x = [read(r) for r in plan["train"]["ids"]]
train_y = plan["train"]["labels"]
val_x = [read(r) for r in plan["val"]["ids"]]
val_y = plan["val"]["labels"]

net = MaLiangNet(1, K, width=64, depth=(2, 2, 2, 2), groups=32)
S = net.stride
counts = np.bincount(train_y, minlength=K)
weight = torch.tensor(len(train_y) / (K * np.maximum(counts, 1)), dtype=torch.float32)  # balanced: n / (K n_c)
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
steps_per_epoch = math.ceil(len(train_x) / BATCH)
total = plan["epochs"] * steps_per_epoch
warm = steps_per_epoch  # one warm-up epoch, then cosine to 0


def lr_at(step):
    if step < warm:
        return 3e-4 * (step + 1) / warm
    return 3e-4 * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def make_batch(xs, offs):
    longest = max(o + x.shape[1] for o, x in zip(offs, xs))
    L = max(3 * S, -(-longest // S) * S)
    x = np.zeros((len(xs), 1, L), np.float32)
    mask = np.zeros((len(xs), 1, L), np.float32)
    for j, (o, s) in enumerate(zip(offs, xs)):
        x[j, :, o:o + s.shape[1]] = s
        mask[j, :, o:o + s.shape[1]] = 1
    return torch.from_numpy(x), torch.from_numpy(mask)


def epoch_batches():
    # Length buckets: indices sorted by length, cut into batches, the batches shuffled (as bucketByLength does).
    order = sorted(range(len(train_x)), key=lambda i: (train_x[i].shape[1], rng.random()))
    batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    rng.shuffle(batches)
    return batches


def f1_cinc2017(y, pred):
    f = []
    for c in range(3):  # N, A, O (CinC 2017's score leaves out noise)
        tp = sum(1 for t, q in zip(y, pred) if t == c and q == c)
        n = sum(1 for t in y if t == c) + sum(1 for q in pred if q == c)
        f.append(2 * tp / n if n else 0.0)
    return sum(f) / 3


step = 0
faults = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt  # noqa: E731
print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for epoch in range(plan["epochs"]):
    t = {"data": 0.0, "forward": 0.0, "backward": 0.0, "optimizer": 0.0, "validation": 0.0, "pageFaults": 0}
    started = time.perf_counter()
    net.train()
    for idx in epoch_batches():
        f0 = faults()
        m0 = time.perf_counter()
        x, mask = make_batch([train_x[i] for i in idx], [rng.randrange(SHIFT + 1) for _ in idx])
        y = torch.tensor([train_y[i] for i in idx])
        m1 = time.perf_counter()
        loss = F.cross_entropy(net(x, mask), y, weight=weight)
        if not torch.isfinite(loss):
            raise SystemExit(f"epoch {epoch}: non-finite loss")
        m2 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        m3 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        opt.step()
        loss.item()
        step += 1
        m4 = time.perf_counter()
        t["data"] += m1 - m0
        t["forward"] += m2 - m1
        t["backward"] += m3 - m2
        t["optimizer"] += m4 - m3
        t["pageFaults"] += faults() - f0
    train_s = time.perf_counter() - started
    v0 = time.perf_counter()
    net.eval()
    pred = [0] * len(val_x)
    by_len = sorted(range(len(val_x)), key=lambda i: val_x[i].shape[1])
    with torch.no_grad():
        for b in range(0, len(by_len), BATCH):
            idx = by_len[b:b + BATCH]
            prob = torch.softmax(net(*make_batch([val_x[i] for i in idx], [0] * len(idx))), 1)
            for i, q in zip(idx, prob.argmax(1).tolist()):
                pred[i] = q
    t["validation"] = time.perf_counter() - v0
    print(json.dumps({"epoch": epoch, "seconds": time.perf_counter() - started, "trainRecordsPerSecond": len(train_x) / train_s,
                      "cinc2017F1": f1_cinc2017(val_y, pred), "timing": t}), flush=True)
