"""The PyTorch peer of bench/engine/resnet1d.ts: a 1-D ResNet-18 with GroupNorm, timed for a train step
(forward + cross-entropy + backward + Adam) and for no-grad inference.

Spawned by run.ts with --serve: it writes its initial weights, a fixed input and its logits to --check-out
(safetensors, hand-written) so run.ts can confirm the TS network is the same one, prints "ready", then
answers each stdin line "train" or "infer" with the seconds one such step took. run.ts alternates these
with its own steps, so both sides see the same machine load. Without --serve it times on its own.
Usage: /usr/bin/python3 bench/engine/resnet1d.py --threads 2 [--serve --check-out /tmp/x.safetensors]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'engine', 'fixtures', 'safetensors'))
from make_safetensors_fixture import atomic_write, serialize  # noqa: E402

LEADS, SAMPLES, BATCH, CLASSES = 12, 5000, 32, 9


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv1d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.gn1 = nn.GroupNorm(32, cout)
        self.conv2 = nn.Conv1d(cout, cout, 3, padding=1, bias=False)
        self.gn2 = nn.GroupNorm(32, cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv1d(cin, cout, 1, stride=stride, bias=False), nn.GroupNorm(32, cout))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        h = F.relu(self.gn1(self.conv1(x)))
        h = self.gn2(self.conv2(h))
        return F.relu(h + idt)


class ResNet1d18(nn.Module):
    def __init__(self, leads=LEADS, classes=CLASSES):
        super().__init__()
        self.conv1 = nn.Conv1d(leads, 64, 7, stride=2, padding=3, bias=False)  # [N, 64, L/2]
        self.gn1 = nn.GroupNorm(32, 64)
        self.pool = nn.MaxPool1d(3, stride=2, padding=1)                          # [N, 64, L/4]
        chans, cin, layers = [64, 128, 256, 512], 64, []
        for i, c in enumerate(chans):
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(cin, c, stride), BasicBlock(c, c, 1)))
            cin = c
        self.layer1, self.layer2, self.layer3, self.layer4 = layers               # [N, 512, L/32]
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        h = self.pool(F.relu(self.gn1(self.conv1(x))))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        return self.fc(h.mean(dim=2))                                             # [N, 512] → [N, classes]


def median_time(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--iters', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--check-out')
    ap.add_argument('--serve', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = ResNet1d18()
    x = torch.randn(BATCH, LEADS, SAMPLES)
    y = torch.randint(0, CLASSES, (BATCH,))
    if a.check_out:
        with torch.no_grad():
            logits = model(x[:2])
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        state.update({'check.x': x[:2].clone(), 'check.logits': logits})
        atomic_write(a.check_out, serialize(state, {'params': str(sum(p.numel() for p in model.parameters()))}))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def infer():
        with torch.no_grad():
            return model(x)

    if a.serve:
        print(json.dumps({'ready': True, 'peer': f'PyTorch {torch.__version__}', 'threads': torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == 'quit':
                break
            if cmd not in ('train', 'infer'):
                print(json.dumps({'error': f'unknown command {cmd!r}'}), flush=True)
                continue
            model.train(cmd == 'train')
            t0 = time.perf_counter()
            train_step() if cmd == 'train' else infer()
            print(json.dumps({'s': time.perf_counter() - t0}), flush=True)
        return

    train, train_all = median_time(train_step, a.iters, a.warmup)
    model.eval()
    inf, inf_all = median_time(infer, a.iters, a.warmup)
    print(json.dumps({'peer': f'PyTorch {torch.__version__}', 'threads': torch.get_num_threads(),
                      'train_s': train, 'infer_s': inf, 'train_all': train_all, 'infer_all': inf_all}))


if __name__ == '__main__':
    main()
