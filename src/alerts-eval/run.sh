#!/usr/bin/env bash
# Runs the alert-evaluation matrix: real sample-app runs on real MNIST, each recorded by
# record.py (every /metrics scrape, 0.25 s apart, plus the app's tasks.jsonl and results.csv with the
# fresh-network gap of every task). evaluate.sh then replays the recordings through the alert
# rules with promtool; the two are split so the evaluation can be re-run without training again.
#
#   src/alerts-eval/run.sh [--out DIR] [--seeds 1,2,3,4] [--regimes a,b,...] [--jar JAR]
#
# DIR defaults to target/alerts-eval (outside git). A run whose results.csv is complete is kept
# (FORCE=1 reruns it). Runs go one at a time under `nice -n 19`; the order is seed-major, so a
# matrix stopped early still holds every regime for its first seeds.
#
# Regimes (REGIMES below): whether a run lost plasticity is decided by its own fresh-network gap
# (evaluate.sh, dashboards/README.md), never by its regime's name; the names say what was expected.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
HERE="$ROOT/src/alerts-eval"
JAR="$ROOT/sample-app/target/sample-app.jar"
out="$ROOT/target/alerts-eval"
seeds=1,2,3,4

# name | expected | sample-app options (each regime trains a fresh baseline on every task)
REGIMES=(
  "pm-wd|losing|--scenario permuted-mnist --weight-decay 0.1 --examples-per-task 2000 --eval-examples 1000 --tasks 5"
  "pm-wd-mild|losing|--scenario permuted-mnist --weight-decay 0.05 --examples-per-task 2000 --eval-examples 1000 --tasks 5"
  "pm-sgd|healthy|--scenario permuted-mnist --weight-decay 0 --examples-per-task 2000 --eval-examples 1000 --tasks 5"
  "pm-adam|healthy|--scenario permuted-mnist --weight-decay 0 --optimizer adam --learning-rate 0.001 --examples-per-task 2000 --eval-examples 1000 --tasks 5"
  "rl-adam|losing|--scenario random-label-mnist --examples-per-task 400 --epochs 10 --tasks 6"
  "rl-adam-sp|healthy|--scenario random-label-mnist --tasks 6 --remedy shrink-perturb:shrink=0.8,noise=0.01"
)
regimes=""

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --regimes) regimes="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "alerts-eval: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -f "$JAR" ]; then
  "$ROOT/run-sample.sh" --help >/dev/null # builds the jar and fetches nothing
fi
"$ROOT/run-sample.sh" --fetch-only
mkdir -p "$out"

IFS=, read -r -a seed_list <<<"$seeds"
for seed in "${seed_list[@]}"; do
  for entry in "${REGIMES[@]}"; do
    IFS='|' read -r name expected opts <<<"$entry"
    if [ -n "$regimes" ] && [[ ",$regimes," != *",$name,"* ]]; then
      continue
    fi
    id="$name-s$seed"
    dir="$out/$id"
    if [ -z "${FORCE:-}" ] && [ -f "$dir/$id/results.csv" ] && [ -f "$dir/done" ]; then
      echo "alerts-eval: $id recorded before, kept (FORCE=1 reruns)" >&2
      continue
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    printf '%s\n' "$expected" >"$dir/expected"
    echo "alerts-eval: $id ($expected): $opts" >&2
    start=$(date +%s)
    # shellcheck disable=SC2086
    if nice -n 19 python3 "$HERE/record.py" --out "$dir" --interval 0.25 -- \
        java -jar "$JAR" $opts --baseline --seed "$seed" --run-id "$id" --output "$dir" \
        --no-save-model --linger 3; then
      touch "$dir/done"
      echo "alerts-eval: $id took $(($(date +%s) - start)) s" >&2
    else
      echo "alerts-eval: $id failed (see $dir/app.log)" >&2
    fi
  done
done
