#!/usr/bin/env bash
# Runs the remedy matrix of docs/remedies.md on one scenario, one run at a time, and prints the
# table: for every remedy and seed the gap to a fresh network, and how much of the gap without a
# remedy each remedy closes.
#
#   sample-app/remedy-table.sh [--scenario NAME] [--seeds 1,2,3] [--remedies LIST]
#                              [--output DIR] [-- further sample-app options]
#
# LIST is comma-separated (semicolon-separated when a value has commas) --remedy values (none, syre, redo, cbp, shrink-perturb, l2-init, or with
# parameters such as redo:every=250); a suffix @wd=X adds --weight-decay X to that run (syre acts
# only through DL4J's weight decay). Default: none,redo,cbp,shrink-perturb,syre@wd=0.001,
# none@wd=0.001,l2-init. A remedy this build does not know is reported as such and skipped.
#
# The fresh baseline is trained in the runs without a remedy only: it depends on the seed and the
# task data, not on the remedy (Baseline.seedFor), so every remedy of a seed is compared with the
# same fresh networks. The gap of a run is the mean over its tasks of baseline − achieved
# (accuracy; achieved − baseline for the regression's error); "closes" is 1 − gap/gap(none).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
JAR="${SAMPLE_APP_JAR:-$ROOT/sample-app/target/sample-app.jar}"
scenario=random-label-mnist
seeds=1,2,3
remedies="none,redo,cbp,shrink-perturb,syre@wd=0.001,none@wd=0.001,l2-init"
output=runs/remedy-table
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --remedies) remedies="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "remedy-table: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$JAR" ] || { echo "remedy-table: build the app first: ./run-sample.sh --help" >&2; exit 3; }
command -v python3 >/dev/null || { echo "remedy-table: python3 is needed for the table" >&2; exit 3; }
mkdir -p "$output"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

run_id() { # scenario remedy-entry seed -> a --run-id
  printf '%s-%s-s%s' "$1" "$(printf '%s' "$2" | tr -c 'A-Za-z0-9._-' '_')" "$3"
}

IFS=, read -r -a seed_list <<<"$seeds"
# remedies with several parameters contain commas: such a list is separated by semicolons
if [[ "$remedies" == *";"* ]]; then sep=";"; else sep=","; fi
IFS="$sep" read -r -a remedy_list <<<"$remedies"
for seed in "${seed_list[@]}"; do
  for entry in "${remedy_list[@]}"; do
    remedy="${entry%%@*}"
    args=(--scenario "$scenario" --seed "$seed" --remedy "$remedy" --port 0 --no-save-model
          --overwrite --output "$output" --run-id "$(run_id "$scenario" "$entry" "$seed")")
    case "$entry" in *@wd=*) args+=(--weight-decay "${entry##*@wd=}") ;; esac
    run_extra=(${extra[@]+"${extra[@]}"})
    if [ "$entry" = none ]; then
      args+=(--baseline)
    else
      # the remedy runs share the baseline of the run without one: drop the baseline options
      args+=(--no-baseline)
      run_extra=()
      skip=false
      for a in ${extra[@]+"${extra[@]}"}; do
        if $skip; then skip=false; continue; fi
        case "$a" in
          --baseline-every) skip=true ;;
          --baseline|--baseline-every=*) ;;
          *) run_extra+=("$a") ;;
        esac
      done
    fi
    if [ -f "$output/$(run_id "$scenario" "$entry" "$seed")/results.csv" ] && [ -z "${FORCE:-}" ]; then
      echo "remedy-table: $entry seed $seed done before, kept (FORCE=1 reruns)" >&2
      continue
    fi
    echo "remedy-table: $entry seed $seed" >&2
    start=$(date +%s)
    if ! java -jar "$JAR" "${args[@]}" ${run_extra[@]+"${run_extra[@]}"} >"$output/$(run_id "$scenario" "$entry" "$seed").log" 2>&1; then
      echo "remedy-table: $entry seed $seed failed: $(grep -m1 -E 'sample-app: ' "$output/$(run_id "$scenario" "$entry" "$seed").log" || tail -1 "$output/$(run_id "$scenario" "$entry" "$seed").log")" >&2
    else
      echo "remedy-table: $entry seed $seed took $(( $(date +%s) - start )) s" >&2
    fi
  done
done

python3 - "$output" "$scenario" "$seeds" "$remedies" "$sep" <<'PY'
import csv, math, os, sys
out, scenario, seeds, remedies = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(sys.argv[5])
def rid(entry, seed):
    return "%s-%s-s%s" % (scenario, "".join(c if c.isalnum() or c in "._-" else "_" for c in entry), seed)
def rows(entry, seed):
    p = os.path.join(out, rid(entry, seed), "results.csv")
    if not os.path.exists(p):
        return None
    with open(p, newline="") as f:
        return list(csv.DictReader(f))
def num(v):
    return float(v) if v not in ("", None) else float("nan")
base = {s: rows("none", s) for s in seeds}
table = []
for entry in remedies:
    gaps, lastgaps, lasts, per_seed = [], [], [], []
    for s in seeds:
        r, b = rows(entry, s), base[s]
        if r is None or b is None or len(r) != len(b):
            per_seed.append("-"); continue
        sign = 1 if r[0]["headline"] == "accuracy" else -1
        g = [sign * (num(bb["baseline"]) - num(rr["achieved"])) for rr, bb in zip(r, b)]
        g = [x for x in g if not math.isnan(x)]
        if not g:
            per_seed.append("-"); continue
        gaps.append(sum(g) / len(g)); lastgaps.append(g[-1]); lasts.append(num(r[-1]["achieved"]))
        per_seed.append("%+.3f" % gaps[-1])
    table.append((entry, per_seed, gaps, lastgaps, lasts))
def mean(x):
    return sum(x) / len(x)
def sd(x):
    m = mean(x)
    return math.sqrt(sum((v - m) ** 2 for v in x) / (len(x) - 1)) if len(x) > 1 else float("nan")
ref = next((t for t in table if t[0] == "none" and t[2]), None)
def closes(entry, xs, refxs):
    if entry == "none" or ref is None or mean(refxs) == 0:
        return "–"
    return "%.0f%%" % (100 * (1 - mean(xs) / mean(refxs)))
print("scenario %s, seeds %s; gap = fresh network's result − achieved (accuracy), achieved − fresh (error); "
      "mean gap over the tasks with a baseline, and the last task's; closes = 1 − gap/gap(none)" % (scenario, ",".join(seeds)))
print("| remedy | mean gap per seed | mean gap | closes | last-task gap | closes | last task achieved |")
print("|---|---|---|---|---|---|---|")
for entry, per_seed, gaps, lastgaps, lasts in table:
    if not gaps:
        print("| %s | %s | – | – | – | – | – (not run, or not available in this build) |" % (entry, " ".join(per_seed))); continue
    print("| %s | %s | %+.3f ± %.3f | %s | %+.3f ± %.3f | %s | %.3f |" % (
        entry, " ".join(per_seed), mean(gaps), sd(gaps), closes(entry, gaps, ref[2] if ref else []),
        mean(lastgaps), sd(lastgaps), closes(entry, lastgaps, ref[3] if ref else []), mean(lasts)))
PY
