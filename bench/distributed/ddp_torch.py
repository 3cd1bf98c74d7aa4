"""The PyTorch side of bench/distributed/ddp.ts: Ma & Liang's CNN (packages/models/fixtures/ma_liang_torch.py) on
synthetic batches, alone or wrapped in DistributedDataParallel over Gloo; same protocol as ddp_worker.ts."""
import argparse
import json
import os
import sys
import time
from datetime import timedelta

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../packages/models/fixtures"))
from ma_liang_torch import MaLiangNet  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--init")
p.add_argument("--rank", type=int, default=0)
p.add_argument("--world", type=int, default=1)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--length", type=int, default=9216)
a = p.parse_args()
torch.set_num_threads(a.threads)
if a.world > 1:
    dist.init_process_group("gloo", init_method=a.init, rank=a.rank, world_size=a.world, timeout=timedelta(seconds=300))
torch.manual_seed(a.rank)
net = MaLiangNet(1, 4)
model = torch.nn.parallel.DistributedDataParallel(net) if a.world > 1 else net
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
x = torch.randn(a.batch, 1, a.length)
mask = torch.ones(a.batch, 1, a.length)
y = torch.randint(0, 4, (a.batch,))


def step():
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(model(x, mask), y).backward()  # DDP averages the gradients during backward
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()


step()  # warm-up
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    parts = line.split()
    if not parts or parts[0] != "run":
        break
    seconds = []
    for _ in range(int(parts[1])):
        t0 = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
    if a.rank == 0:
        print(json.dumps({"seconds": seconds}), flush=True)
if a.world > 1:
    dist.destroy_process_group()
