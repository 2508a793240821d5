#!/usr/bin/env bash
# Evaluates the project's recording and alert rules (dashboards/prometheus/) over the runs that
# run.sh recorded, with promtool (Prometheus's own rule engine), and prints the ground truth of
# every run and, per alert and regime, recall on losing runs, lead in tasks and false alarms on
# healthy runs, for the tuning seeds and the report seeds apart (evaluate.py says how).
#
#   src/alerts-eval/evaluate.sh [--runs DIR] [further evaluate.py options, e.g. --report-seeds 3,4,5]
#
# DIR defaults to target/alerts-eval, where run.sh records. Needs promtool (Debian package
# prometheus) and PyYAML (python3-yaml); installs them with apt-get when missing and run as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
runs="$ROOT/target/alerts-eval"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
if ! command -v promtool >/dev/null || ! python3 -c 'import yaml' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus python3-yaml >/dev/null
  fi
fi
command -v promtool >/dev/null || { echo "alerts-eval: promtool is needed (apt-get install prometheus)" >&2; exit 3; }
[ -d "$runs" ] || { echo "alerts-eval: no recorded runs in $runs; run src/alerts-eval/run.sh first" >&2; exit 3; }
exec python3 "$ROOT/src/alerts-eval/evaluate.py" --runs "$runs" \
  --rules "$ROOT/dashboards/prometheus/recording-rules.yml" \
  --rules "$ROOT/dashboards/prometheus/alerts.yml" ${args[@]+"${args[@]}"}
