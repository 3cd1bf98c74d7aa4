#!/usr/bin/env bash
# The robustness study's trainings (docs/robustness/RESULTS-SECTION.md), one at a time at low priority on one
# thread, as they were run on the shared 2-core machine. Each run's wall time is appended to runs/robust/times.tsv.
# A finished run (metrics.json present) is skipped, a started one resumed, so the script can be rerun after a kill.
#   ECGLAB_DATA=/path/to/data bash docs/robustness/train.sh [cinc2017-ce cinc2017-advls-eps0.01 ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(cinc2017-ce cinc2017-advls-eps0.01 ptbxl-ce cinc2017-nsr cinc2017-jacobian cinc2017-advls-eps0.03)
mkdir -p runs/robust
for name in "${runs[@]}"; do
  out="runs/robust/$name"
  if [ -f "$out/metrics.json" ]; then echo "$name: done, skipped"; continue; fi
  resume=()
  [ -f "$out/config.json" ] && resume=(--resume)
  start=$(date +%s)
  echo "$(date -u +%FT%TZ) $name: start ${resume[*]}"
  ECGLAB_NUM_THREADS=1 nice -n 10 node packages/cli/bin/ecglab.mjs train --config "configs/robustness/$name.yaml" --out "$out" "${resume[@]}"
  end=$(date +%s)
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$(date -u -d @"$start" +%FT%TZ)" "$(date -u -d @"$end" +%FT%TZ)" "$((end - start))" "${resume[*]:-fresh}" >> runs/robust/times.tsv
done
