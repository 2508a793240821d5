#!/usr/bin/env bash
# The README's example, as a user would run it: src/example is a Maven project of its own that
# depends on the plugin through the local Maven repository. Builds it, runs it (two tasks of
# permuted MNIST, about a minute), and checks what it printed and wrote, and that the README's
# snippet is the example's code.
#
#   src/example/run.sh               installs the plugin (mvn install -pl plugin -am) first
#   src/example/run.sh --no-install  uses the plugin already installed (test-all.sh installs it)
#
# The last line is `example: N passed, M failed`; the exit status is non-zero on any failure.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() { echo "example: $passed passed, $failed failed"; [ "$failed" = 0 ] && [ "$passed" -gt 0 ]; exit $?; }

if [ "${1:-}" != --no-install ]; then
  if ! out=$(cd "$ROOT" && mvn -q -B -ntp -DskipTests -pl plugin -am install 2>&1); then
    printf '%s\n' "$out" | tail -n 30
    fail "mvn install of the plugin"
    finish
  fi
fi
"$ROOT/run-sample.sh" --fetch-only || { fail "MNIST (run-sample.sh --fetch-only)"; finish; }

# 1. The README's snippet is the example's code: every line of README's Java block that trains
#    appears, as it stands (spaces aside), in ContinualTraining.java.
src="$HERE/src/main/java/com/example/ContinualTraining.java"
if missing=$(python3 - "$ROOT/README.md" "$src" <<'PY'
import re, sys
readme, source = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
blocks = re.findall(r"```java\n(.*?)```", readme, flags=re.S)
snippet = next((b for b in blocks if "PlasticityConfig.builder()" in b), None)
if snippet is None:
    print("README.md has no ```java block with PlasticityConfig.builder()")
    sys.exit(1)
norm = lambda line: " ".join(line.split())
have = {norm(l) for l in source.splitlines()}
lines = [norm(l) for l in snippet.splitlines() if norm(l) and norm(l) not in ("...", "…")]
missing = [l for l in lines if l not in have]
print("\n".join(missing))
sys.exit(1 if missing or len(lines) < 10 else 0)
PY
); then
  pass "every line of README's snippet is a line of src/example's ContinualTraining.java"
else
  fail "README's snippet and src/example differ; lines not in the example:"
  printf '%s\n' "$missing" | sed 's/^/    /'
fi

# 2. It builds and runs with nothing but its own pom.xml.
log="$(mktemp)"
if (cd "$HERE" && mvn -q -B -ntp compile exec:exec) >"$log" 2>&1; then
  pass "mvn compile exec:exec in src/example exits 0"
else
  fail "mvn compile exec:exec in src/example"
  tail -n 40 "$log" | sed 's/^/    /'
fi

# 3. What it printed: the monitor's own log lines (the SLF4J binding works), a summary per task.
if grep -q "Plasticity metrics served on http://127.0.0.1:[0-9]*/metrics" "$log"; then
  pass "the monitor's log reaches the console (where /metrics is served)"
else
  fail "no 'Plasticity metrics served on' line: is the SLF4J binding missing?"
fi
if grep -q "Plasticity live page on http://127.0.0.1:[0-9]*/live/" "$log"; then
  pass "the live page is served beside /metrics"
else
  fail "no 'Plasticity live page on' line"
fi
for t in 1 2; do
  if grep -Eq "^task-$t: accuracy (0\.[0-9]{3}|1\.000), absorbed units [0-9.]+%; [1-9][0-9]* meters on /metrics, port [1-9][0-9]*$" "$log"; then
    pass "task-$t: an accuracy, the absorbed units and the meters were printed"
  else
    fail "task-$t: no summary line"
    tail -n 20 "$log" | sed 's/^/    /'
  fi
done

# 4. What it wrote: tasks.jsonl with tasks 1 and 2.
jsonl=$(sed -n 's/^tasks.jsonl: //p' "$log" | tail -n 1)
if [ -n "$jsonl" ] && python3 - "$jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert [r["index"] for r in rows] == [1, 2], [r.get("index") for r in rows]
assert [r["task"] for r in rows] == ["task-1", "task-2"], [r.get("task") for r in rows]
PY
then
  pass "tasks.jsonl holds task-1 and task-2 ($jsonl)"
  rm -rf "$(dirname "$jsonl")"
else
  fail "tasks.jsonl with task-1 and task-2 (${jsonl:-not printed})"
fi
rm -f "$log"
finish
