#!/usr/bin/python3
"""The Python PyTorch side of bench/vizecg/bench.ts: the same VizECGNet (packages/models/src/vizecg/fixtures/
vizecg_torch.py, built from bench.ts's config) trained with the same objective (BCE on both heads + KD at T,
signal -> image), gradient clipping at 5 and Adam, on the same rendered pages and signals, which bench.ts writes as
raw float32 files into --dir (pages.f32 [B, N, C, H, W], x.f32 [B, N, leads, L], mask.f32 [B, N, 1, L],
targets.f32 [B, N, K] for B batches). Not run by tests.

Protocol: writes its initial weights to --dir/init.safetensors (so bench.ts can load them and check that both
sides compute the same logits), prints one "ready" line, then answers one command per stdin line:
"train K" (a training step on batch K mod B), "infer K" (image-only inference on pages K mod B),
"logits K" (eval-mode image logits of batch K, written to --dir/logits.f32), "quit";
each with {"s": wall seconds, "cpu": CPU seconds of the process, "faults": minor page faults}.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../packages/models/src/vizecg/fixtures"))
from vizecg_torch import VizECGNet, vizecg_loss  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--dir", required=True)
p.add_argument("--shape", required=True, help="B,N,C,H,W,leads,L,K")
p.add_argument("--config", required=True, help="VizEcgNetConfig as JSON (ecglab's names)")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--lr", type=float, default=1e-3)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

B, N, C, H, W, LEADS, L, K = (int(v) for v in a.shape.split(","))
load = lambda name, shape: torch.from_numpy(np.fromfile(os.path.join(a.dir, name), dtype="<f4").reshape(shape))  # noqa: E731
pages = load("pages.f32", (B, N, C, H, W))
xs = load("x.f32", (B, N, LEADS, L))
masks = load("mask.f32", (B, N, 1, L))
targets = load("targets.f32", (B, N, K))

c = json.loads(a.config)
img, sig, att = c["image"], c["signal"], c["attention"]
net = VizECGNet(
    K, LEADS,
    image=dict(channels=img["channels"], patch=img["patch"], stem_width=img["stemWidth"], widths=tuple(img["widths"]), blocks=tuple(img["blocks"])),
    signal=dict(width=sig["width"], depth=tuple(sig["depth"]), groups=sig["groups"], stem_kernel=sig["stemKernel"], slope=sig["slope"], mask_threshold=sig["maskThreshold"]),
    heads=att["heads"], mlp_ratio=att["mlpRatio"], dropout=att["dropout"], smam=c["smam"], cmam=c["cmam"])
kd = (c["kd"]["temperature"], c["kd"]["direction"]) if c["kd"] else None
opt = torch.optim.Adam(net.parameters(), lr=a.lr)


def save_f32(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.int64:  # BatchNorm's num_batches_tracked
            data, dtype = t.numpy().astype("<i8").tobytes(), "I64"
        else:
            data, dtype = t.float().numpy().astype("<f4").tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


save_f32(os.path.join(a.dir, "init.safetensors"), net.state_dict())


def train_step(k):
    net.train()
    # copies, as ecglab's side makes its tensors from the pipeline's typed arrays each step
    image, signal = net.stream_logits(pages[k].clone(), xs[k].clone(), masks[k].clone())
    loss = vizecg_loss(image, signal, targets=targets[k].clone(), kd=kd)
    opt.zero_grad(set_to_none=True)  # as ecglab's zeroGrad
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
    opt.step()


def infer(k):
    net.eval()
    with torch.no_grad():
        torch.sigmoid(net(pages[k].clone())).numpy()


print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    cmd = line.split()
    if not cmd or cmd[0] == "quit":
        break
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    k = int(cmd[1]) % B if len(cmd) > 1 else 0
    if cmd[0] == "train":
        train_step(k)
    elif cmd[0] == "infer":
        infer(k)
    elif cmd[0] == "logits":
        net.eval()
        with torch.no_grad():
            net(pages[k]).numpy().astype("<f4").tofile(os.path.join(a.dir, "logits.f32"))
    else:
        print(json.dumps({"error": f"unknown command {line.strip()!r}"}), flush=True)
        continue
    s = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    print(json.dumps({"s": s, "cpu": cpu, "faults": r1.ru_minflt - r0.ru_minflt}), flush=True)
