"""One PyTorch rank of bench/distributed/allreduce.ts, the peer of worker.ts: same protocol on stdin, same
all-reduce (sum, float32, torch.distributed Gloo), rank 0 prints per-call seconds."""
import json
import sys
import time
from datetime import timedelta

import torch
import torch.distributed as dist

init_method, rank, world_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size,
                        timeout=timedelta(seconds=120))
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    parts = line.split()
    if not parts or parts[0] == "quit":
        break
    nbytes, iters, warmup = int(parts[1]), int(parts[2]), int(parts[3])
    t = torch.zeros(nbytes // 4)
    for _ in range(warmup):
        dist.all_reduce(t)
    dist.barrier()
    seconds = []
    for _ in range(iters):
        t0 = time.perf_counter()
        dist.all_reduce(t)
        seconds.append(time.perf_counter() - t0)
    if rank == 0:
        print(json.dumps({"bytes": nbytes, "seconds": seconds}), flush=True)
dist.destroy_process_group()
