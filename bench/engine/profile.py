"""Phase timings of one ResNet-18-1D train step in PyTorch (forward, backward, Adam step), the peer of
profile.ts. Usage: /usr/bin/python3 bench/engine/profile.py [--iters 5] [--threads 2]"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from resnet1d import BATCH, CLASSES, LEADS, SAMPLES, ResNet1d18

ap = argparse.ArgumentParser()
ap.add_argument('--iters', type=int, default=5)
ap.add_argument('--threads', type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
model = ResNet1d18()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(BATCH, LEADS, SAMPLES)
y = torch.randint(0, CLASSES, (BATCH,))
phases = {'forward': [], 'backward': [], 'adam': [], 'cpu_step': []}
for i in range(a.iters + 1):
    c0 = time.process_time()
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    opt.step()
    t3 = time.perf_counter()
    if i:
        phases['forward'].append(t1 - t0)
        phases['backward'].append(t2 - t1)
        phases['adam'].append(t3 - t2)
        phases['cpu_step'].append(time.process_time() - c0)
print(json.dumps({k: statistics.median(v) for k, v in phases.items()}))
