#!/usr/bin/python3
"""PyTorch side of bench/gemm/probe.ts, run by it (not on its own): answers each stdin line
"<dtype> <n>" with {"s": seconds} for one C = A @ B of n x n random matrices in that dtype
(float32 or bfloat16), timed after the operands exist, as probe.ts times the engine's matmul."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
mats = {}
print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    dtype, n = line.split()
    n = int(n)
    key = (dtype, n)
    if key not in mats:
        dt = torch.float32 if dtype == 'float32' else torch.bfloat16
        mats[key] = (torch.randn(n, n).to(dt), torch.randn(n, n).to(dt))
    a, b = mats[key]
    t = time.perf_counter()
    c = a @ b
    s = time.perf_counter() - t
    del c
    print(json.dumps({'s': s}), flush=True)
