#!/usr/bin/python3
"""scipy side of bench/dsp/bench.ts: reads a float64 [12, n] array from argv[1], times the same
operations, prints JSON {name: seconds per call}. Run by bench.ts; not on its own."""
import json
import sys
import time

import numpy as np
from scipy import signal

x = np.fromfile(sys.argv[1], dtype='<f8').reshape(12, -1)
fs = float(sys.argv[2])
reps = int(sys.argv[3])
sos_bp = signal.butter(4, [0.5, 40.0], btype='bandpass', fs=fs, output='sos')
b, a = signal.iirnotch(50.0, 30.0, fs)
k1 = int(round(0.2 * fs)) | 1
k2 = int(round(0.6 * fs)) | 1
ops = {
    'resample_poly 500->360 (12 leads)': lambda: [signal.resample_poly(l, 18, 25) for l in x],
    'sosfiltfilt butter(4) band-pass (12 leads)': lambda: [signal.sosfiltfilt(sos_bp, l) for l in x],
    'filtfilt iirnotch 50 Hz (12 leads)': lambda: [signal.filtfilt(b, a, l) for l in x],
    'median baseline 200/600 ms (12 leads)': lambda: [l - signal.medfilt(signal.medfilt(l, k1), k2) for l in x],
}
out = {}
for name, f in ops.items():
    f()
    t = time.perf_counter()
    for _ in range(reps):
        f()
    out[name] = (time.perf_counter() - t) / reps
print(json.dumps(out))
