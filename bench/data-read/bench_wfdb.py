#!/usr/bin/python3
"""wfdb-python side of bench/data-read/run.ts, run by it (not on its own), with the peer's folder
(../shared/peers/wfdb-python) on PYTHONPATH. Prints {"ready": ...}, then answers one stdin line per command:
  time <mode> <list-file> -> {"s": seconds}: one pass of `mode` over the records named in list-file (one
                             path per line, without extension; for rdann, `path<TAB>extension`)
modes: physical (rdrecord, p_signal float64), digital (rdrecord physical=False, d_signal), rdann."""
import json
import sys
import time

import wfdb

print(json.dumps({'ready': True, 'wfdb': wfdb.__version__}), flush=True)
lists = {}
sink = 0
for line in sys.stdin:
    cmd, mode, path = line.rstrip('\n').split('\t')
    if cmd != 'time':
        raise SystemExit(f'bench_wfdb.py: unknown command {cmd!r}')
    if path not in lists:
        with open(path) as f:
            lists[path] = [l.rstrip('\n').split('\t') for l in f if l.strip()]
    recs = lists[path]
    t = time.perf_counter()
    if mode == 'physical':
        for (r, *_) in recs:
            sink += wfdb.rdrecord(r).p_signal.shape[0]
    elif mode == 'digital':
        for (r, *_) in recs:
            sink += wfdb.rdrecord(r, physical=False).d_signal.shape[0]
    elif mode == 'rdann':
        for (r, ext) in recs:
            sink += len(wfdb.rdann(r, ext).sample)
    else:
        raise SystemExit(f'bench_wfdb.py: unknown mode {mode!r}')
    print(json.dumps({'s': time.perf_counter() - t, 'sink': sink > 0}), flush=True)
