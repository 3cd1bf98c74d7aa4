#!/usr/bin/python3
"""scipy side of bench/dsp/bench.ts, run by it (not on its own). Reads the inputs named on the
command line, prints {"ready": ...}, then answers one stdin line per command:
  time <op> <budget> -> {"s": seconds per call, "calls": n}: calls until `budget` seconds have passed
                        (at least one; after one untimed warm-up call on first use)
  out <op> <file>    -> writes the op's output as float64 (leads concatenated) -> {"ok": true}
so that bench.ts can interleave its own timings with these and compare the outputs."""
import json
import sys
import time

import numpy as np
import scipy
from scipy import signal

ptbxl = np.fromfile(sys.argv[1], dtype='<f8').reshape(12, -1)  # PTB-XL 00017, 12 x 5000, 500 Hz
cinc = np.fromfile(sys.argv[2], dtype='<f8')  # CinC 2017 A00001, 9000 samples, 300 Hz
fs = 500.0
ptbxl32 = ptbxl.astype(np.float32)
sos_bp = signal.butter(4, [0.5, 40.0], btype='bandpass', fs=fs, output='sos')
b, a = signal.iirnotch(50.0, 30.0, fs)
k1 = int(round(0.2 * fs)) | 1
k2 = int(round(0.6 * fs)) | 1
rp = signal.resample_poly
ops = {
    'resample 500->360, per lead': lambda: [rp(l, 18, 25) for l in ptbxl],
    'resample 500->360, 12 leads at once': lambda: rp(ptbxl, 18, 25, axis=1),
    'resample 500->100 (PTB-XL), 12 leads at once': lambda: rp(ptbxl, 1, 5, axis=1),
    'resample 500->100, float32 in': lambda: rp(ptbxl32, 1, 5, axis=1),
    'resample 257->500 (INCART), 12 leads at once': lambda: rp(ptbxl, 500, 257, axis=1),
    'resample 1000->500, 12 leads at once': lambda: rp(ptbxl, 1, 2, axis=1),
    'resample 300->250 (CinC 2017), 1 lead': lambda: rp(cinc, 5, 6),
    'resample 300->500 (CinC 2017), 1 lead': lambda: rp(cinc, 5, 3),
    'sosfiltfilt butter(4) band-pass, per lead': lambda: [signal.sosfiltfilt(sos_bp, l) for l in ptbxl],
    'filtfilt iirnotch 50 Hz, per lead': lambda: [signal.filtfilt(b, a, l) for l in ptbxl],
    'median baseline 200/600 ms, per lead': lambda: [l - signal.medfilt(signal.medfilt(l, k1), k2) for l in ptbxl],
}
warm = set()
print(json.dumps({'ready': True, 'scipy': scipy.__version__, 'numpy': np.__version__}), flush=True)
for line in sys.stdin:
    cmd, name, arg = line.rstrip('\n').split('\t')
    f = ops[name]
    if cmd == 'time':
        if name not in warm:
            f()
            warm.add(name)
        budget = float(arg)
        calls = 0
        t = time.perf_counter()
        while calls == 0 or time.perf_counter() - t < budget:
            f()
            calls += 1
        print(json.dumps({'s': (time.perf_counter() - t) / calls, 'calls': calls}), flush=True)
    elif cmd == 'out':
        y = f()
        np.concatenate([np.asarray(r, dtype=np.float64).ravel() for r in (y if isinstance(y, list) else [y])]).tofile(arg)
        print(json.dumps({'ok': True}), flush=True)
