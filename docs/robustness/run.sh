#!/usr/bin/env bash
# The CinC 2017 robustness study of RESULTS.md, end to end: trains each model of configs/robustness/cinc2017-*.yaml
# (one thread each), then attacks and corrupts each with `ecglab robustness` on the shared validation split and
# merges the reports into docs/robustness/cinc2017 (sweep: PGD-20, 1 start, at six ε, white noise, NSTDB) and
# docs/robustness/cinc2017-pgd100 (PGD-100 with 2 restarts at ε 0.01, Ma & Liang's attack; at every ε for CE and
# advls ε 0.01 in docs/robustness/cinc2017-pgd100-all).
# A finished run (metrics.json) or report (robustness.json) is skipped and a started run resumed, so the script
# can be rerun after a kill. Run wall times go to runs/robust/times.tsv.
#   ECGLAB_DATA=/abs/path/to/data bash docs/robustness/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ECGLAB_DATA:?set ECGLAB_DATA to the absolute path of the shared data folder}"
# One libtorch thread, as the study ran (its processes side by side); the configs set threads: 1 for training.
ecglab() { MALLOC_ARENA_MAX=2 ECGLAB_NUM_THREADS=1 node packages/cli/bin/ecglab.mjs "$@"; }
# The models the reports compare, in the reports' order; the variants that were trained and dropped (Jacobian β 44
# and 10, NSR ε_max 1 and 0.1, NSR with a weighted MSE) are in configs/robustness with the command that trained each.
models=(ce:CE advls-eps0.01:"advls ε 0.01" advls-eps0.03:"advls ε 0.03" jacobian-beta1:"Jacobian β 1" jacobian-beta0.3:"Jacobian β 0.3"
  jacobian-beta0.1:"Jacobian β 0.1" jacobian-beta0.03:"Jacobian β 0.03" nsr:"NSR ε_max 0.01")
data="cinc2017:$ECGLAB_DATA/cinc2017/training2017:configs/splits/cinc2017-val.txt"
mkdir -p runs/robust
for entry in "${models[@]}"; do
  name="cinc2017-${entry%%:*}"; out="runs/robust/$name"
  [ -f "$out/metrics.json" ] && continue
  resume=(); [ -f "$out/config.json" ] && resume=(--resume)
  start=$(date +%s)
  ecglab train --config "configs/robustness/$name.yaml" --out "$out" "${resume[@]}"
  printf '%s\t%s\t%s\n' "$name" "$((($(date +%s) - start)))" "${resume[*]:-fresh}" >> runs/robust/times.tsv
done
# report DIR NAME LABEL ARGS...: `ecglab robustness` of runs/robust/NAME into DIR/NAME, unless it is there already.
report() {
  local dir=$1 name=$2 label=$3; shift 3
  [ -f "$dir/$name/robustness.json" ] || ecglab robustness -m "runs/robust/$name" --label "$label" -d "$data" --no-progress -o "$dir/$name" "$@"
}
for entry in "${models[@]}"; do
  name="cinc2017-${entry%%:*}"; label="${entry#*:}"
  report reports/robust "$name" "$label" --eps 0.001,0.003,0.005,0.01,0.03,0.1 --steps 20 --restarts 1 \
    --white 0.05,0.1,0.2,0.3,0.4,0.5,0.6 --nstdb bw,ma:24,18,12,6,0,-6
  report reports/robust-pgd100 "$name" "$label" --eps 0.01 --steps 100 --restarts 2
  # Ma & Liang's attack at every ε, for CE and advls ε 0.01 only (the robust models take ~25 min each on one core).
  case $name in cinc2017-ce | cinc2017-advls-eps0.01)
    report reports/robust-pgd100-all "$name" "$label" --eps 0.001,0.003,0.005,0.01,0.03,0.1 --steps 100 --restarts 2 ;;
  esac
done
ecglab robustness-merge reports/robust-pgd100-all/cinc2017-{ce,advls-eps0.01}/robustness.json -o docs/robustness/cinc2017-pgd100-all
merge() { local dir=$1 out=$2 files=() entry; for entry in "${models[@]}"; do files+=("$dir/cinc2017-${entry%%:*}/robustness.json"); done; ecglab robustness-merge "${files[@]}" -o "$out"; }
merge reports/robust docs/robustness/cinc2017
merge reports/robust-pgd100 docs/robustness/cinc2017-pgd100
# the reports name the data by its absolute path; the committed copies name it relative to the checkout
sed -i "s|$ECGLAB_DATA|../shared/data|g" docs/robustness/cinc2017{,-pgd100,-pgd100-all}/robustness.{json,md}
