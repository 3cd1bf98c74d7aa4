#!/usr/bin/env bash
# The robustness studies of RESULTS.md, end to end: trains each model of a study (configs/robustness/NAME.yaml, one
# thread each), attacks and corrupts each with `ecglab robustness`, and merges the reports into docs/robustness/:
#   cinc2017       the 12-epoch CinC 2017 study on the shared validation split: STUDY (sweep: PGD-20, 1 start, at six
#                  ε, white noise, NSTDB) and STUDY-pgd100 (PGD-100 with 2 restarts at ε 0.01, Ma & Liang's attack;
#                  at every ε for CE and advls ε 0.01 in cinc2017-pgd100-all)
#   cinc2017-long  CE, advls ε 0.01 and the Jacobian at β 0.3 / 0.2 trained three times as long (36 epochs), same
#                  reports (PGD-100 at every ε for CE and Jacobian β 0.3 in cinc2017-long-pgd100-all)
#   ptbxl          the PTB-XL 12-lead row (superclasses, multi-label), on the held-out strat_fold 10; PGD-100 at every ε
# A finished run (metrics.json) or report (robustness.json) is skipped and a started run resumed, so the script
# can be rerun after a kill. Run wall times go to runs/robust/times.tsv.
#   ECGLAB_DATA=/abs/path/to/data bash docs/robustness/run.sh [cinc2017 | cinc2017-long | ptbxl]...   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ECGLAB_DATA:?set ECGLAB_DATA to the absolute path of the shared data folder}"
# One libtorch thread, as the studies ran (their processes side by side); the configs set threads: 1 for training.
ecglab() { MALLOC_ARENA_MAX=2 node packages/cli/bin/ecglab.mjs "$@"; }
every_eps=0.001,0.003,0.005,0.01,0.03,0.1
sweep=(--eps $every_eps --steps 20 --restarts 1 --white 0.05,0.1,0.2,0.3,0.4,0.5,0.6 --nstdb bw,ma:24,18,12,6,0,-6)
mkdir -p runs/robust

# train NAME: runs/robust/NAME from configs/robustness/NAME.yaml, unless it finished.
train() {
  local name=$1 out="runs/robust/$1" resume=() start
  [ -f "$out/metrics.json" ] && return
  [ -f "$out/config.json" ] && resume=(--resume)
  start=$(date +%s)
  ecglab train --config "configs/robustness/$name.yaml" --out "$out" "${resume[@]}"
  printf '%s\t%s\t%s\n' "$name" "$((($(date +%s) - start)))" "${resume[*]:-fresh}" >> runs/robust/times.tsv
}
# report DIR NAME LABEL DATA ARGS...: `ecglab robustness` of runs/robust/NAME into DIR/NAME, unless it is there already.
report() {
  local dir=$1 name=$2 label=$3 data=$4; shift 4
  [ -f "$dir/$name/robustness.json" ] || ecglab robustness -m "runs/robust/$name" --label "$label" -d "$data" --threads 1 --no-progress -o "$dir/$name" "$@"
}
# merge OUT DIR NAME...: one report of DIR/NAME/robustness.json for each NAME, in that order, into docs/robustness/OUT;
# the reports name the data by its absolute path, the committed copies relative to the checkout.
merge() {
  local out=$1 dir=$2 files=() name; shift 2
  for name in "$@"; do files+=("$dir/$name/robustness.json"); done
  ecglab robustness-merge "${files[@]}" -o "docs/robustness/$out"
  sed -i "s|$ECGLAB_DATA|../shared/data|g" "docs/robustness/$out"/robustness.{json,md}
}
# pgd100_all OUT DATA NAME:LABEL...: Ma & Liang's attack (PGD-100, 2 restarts) at every ε, merged into docs/robustness/OUT.
pgd100_all() {
  local out=$1 data=$2 entry names=(); shift 2
  for entry in "$@"; do
    names+=("${entry%%:*}")
    report reports/robust-pgd100-all "${entry%%:*}" "${entry#*:}" "$data" --eps "$every_eps" --steps 100 --restarts 2
  done
  merge "$out" reports/robust-pgd100-all "${names[@]}"
}
# study OUT DATA PGD100_EPS NAME:LABEL...: trains and reports the models; PGD-100 (2 restarts) at PGD100_EPS.
study() {
  local out=$1 data=$2 strong=$3 entry names=(); shift 3
  for entry in "$@"; do names+=("${entry%%:*}"); train "${entry%%:*}"; done
  for entry in "$@"; do
    report reports/robust "${entry%%:*}" "${entry#*:}" "$data" "${sweep[@]}"
    report reports/robust-pgd100 "${entry%%:*}" "${entry#*:}" "$data" --eps "$strong" --steps 100 --restarts 2
  done
  merge "$out" reports/robust "${names[@]}"
  merge "$out-pgd100" reports/robust-pgd100 "${names[@]}"
}

cinc="cinc2017:$ECGLAB_DATA/cinc2017/training2017:configs/splits/cinc2017-val.txt"
studies=("$@"); [ ${#studies[@]} -gt 0 ] || studies=(cinc2017 cinc2017-long ptbxl)
for which in "${studies[@]}"; do case $which in
  cinc2017)
    # The variants that were trained and dropped (Jacobian β 44 and 10, NSR ε_max 1 and 0.1, NSR with a weighted
    # MSE) are in configs/robustness with the command that trained each.
    study cinc2017 "$cinc" 0.01 cinc2017-ce:CE cinc2017-advls-eps0.01:"advls ε 0.01" cinc2017-advls-eps0.03:"advls ε 0.03" \
      cinc2017-jacobian-beta1:"Jacobian β 1" cinc2017-jacobian-beta0.3:"Jacobian β 0.3" cinc2017-jacobian-beta0.1:"Jacobian β 0.1" \
      cinc2017-jacobian-beta0.03:"Jacobian β 0.03" cinc2017-nsr:"NSR ε_max 0.01"
    # Ma & Liang's attack at every ε, for CE and advls ε 0.01 only (the robust models take ~25 min each on one core).
    pgd100_all cinc2017-pgd100-all "$cinc" cinc2017-ce:CE cinc2017-advls-eps0.01:"advls ε 0.01" ;;
  cinc2017-long)
    study cinc2017-long "$cinc" 0.01 cinc2017-long-ce:"CE, 36 epochs" cinc2017-long-advls-eps0.01:"advls ε 0.01 (PGD-10), 36 epochs" \
      cinc2017-long-jacobian-beta0.3:"Jacobian β 0.3, 36 epochs" cinc2017-long-jacobian-beta0.2:"Jacobian β 0.2, 36 epochs"
    # PGD-100 at every ε for CE and the defended model nearest the target (Jacobian β 0.3).
    pgd100_all cinc2017-long-pgd100-all "$cinc" cinc2017-long-ce:"CE, 36 epochs" cinc2017-long-jacobian-beta0.3:"Jacobian β 0.3, 36 epochs" ;;
  ptbxl)
    study ptbxl "ptbxl100:$ECGLAB_DATA/ptbxl:fold=10" "$every_eps" ptbxl-ce:CE ptbxl-advls-eps0.01:"advls ε 0.01" \
      ptbxl-advls-eps0.03:"advls ε 0.03" ptbxl-jacobian-beta1:"Jacobian β 1" ptbxl-jacobian-beta0.3:"Jacobian β 0.3" \
      ptbxl-jacobian-beta0.1:"Jacobian β 0.1" ptbxl-nsr-epsmax1:"NSR ε_max 1" ptbxl-nsr-epsmax0.01:"NSR ε_max 0.01" ;;
  *) echo "run.sh: unknown study '$which' (cinc2017, cinc2017-long, ptbxl)" >&2; exit 2 ;;
esac; done
