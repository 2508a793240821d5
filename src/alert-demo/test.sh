#!/usr/bin/env bash
# Test of ./run-alert-demo.sh in its short mode (--fast: `for:` shortened to 10s in temporary
# copies; three tasks of 4,000 examples): a plasticity alert reaches the webhook receiver through
# the real Prometheus and Alertmanager, the output says that the timing was shortened, and the
# demo leaves nothing running. About 2 minutes. The last line is `alert-demo: N passed, M failed`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

out=$("$ROOT/run-alert-demo.sh" --fast --until-first-alert --max-minutes 10 -- --tasks 3 --examples-per-task 4000 2>&1)
rc=$?
if [ $rc -eq 0 ]; then pass "run-alert-demo.sh --fast --until-first-alert exits 0"; else fail "run-alert-demo.sh exited $rc"; fi

alert=$(printf '%s\n' "$out" | grep -E '^\[ *[0-9]+s\] ALERT FIRING Plasticity[A-Za-z]+ \((warning|critical|info)\) run=alert-demo-[0-9-]+.*<- webhook receiver, from Alertmanager' | head -n 1)
if [ -n "$alert" ]; then
  pass "a plasticity alert of the demo's run reached the webhook receiver: $(printf '%s' "$alert" | sed 's/ *<-.*//')"
else
  fail "no plasticity alert reached the webhook receiver"
fi
if [ -n "$alert" ] && printf '%s\n' "$alert" | grep -q -- '--fast: `for:` shortened to 10s'; then
  pass "the alert line says that --fast shortened the rules' timing"
else
  fail "the alert line does not say that the timing was shortened"
fi
if printf '%s\n' "$out" | grep -A3 'ALERT FIRING' | grep -Eq '^ +description: .*[A-Za-z]' \
    && ! printf '%s\n' "$out" | grep -A3 'ALERT FIRING' | grep -q '{{'; then
  pass "the notification's description is printed, its template filled in"
else
  fail "no filled-in description after the alert"
fi
# Everything it started is stopped: none of the addresses it printed answers any more.
urls=$(printf '%s\n' "$out" | grep -Eo 'http://127\.0\.0\.1:[0-9]+' | sort -u)
open=()
for u in $urls; do
  port=${u##*:}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then open+=("$port"); fi
done
if [ -n "$urls" ] && [ ${#open[@]} -eq 0 ]; then
  pass "after the demo nothing listens on the $(printf '%s\n' "$urls" | wc -l) ports it used"
else
  fail "ports still open after the demo: ${open[*]:-none printed}"
fi
work=$(printf '%s\n' "$out" | grep -Eo '/tmp/plasticity-alert-demo-[A-Za-z0-9_]+' | head -n 1)
if [ -n "$work" ] && [ ! -e "$work" ]; then
  pass "its temporary directory is removed"
else
  fail "temporary directory ${work:-not printed} still there"
fi
if [ "$failed" -gt 0 ]; then
  printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
fi
echo "alert-demo: $passed passed, $failed failed"
[ "$failed" = 0 ]
