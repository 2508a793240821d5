#!/usr/bin/env bash
# Tests of dashboards/: promtool check rules / check config / test rules, amtool check-config,
# the structural checks of the Grafana dashboard and the mixin conventions
# (tests/check_structure.py), and the dashboard against Grafana's own schema (schema/: the npm
# package @grafana/schema, type-checked with TypeScript; npm installs both into schema/node_modules). Installs the Debian packages it needs when missing and run as root.
# Prints `dashboards: N passed, M failed` last and exits non-zero on any failure.
#
# The PromQL of the dashboard and the rules is executed against a real Prometheus by the
# end-to-end check, src/e2e/run.sh, not here.
set -u
cd "$(dirname "$0")"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run NAME COMMAND...: one check, its output shown only when it fails.
run() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    pass "$name"
  else
    fail "$name"
    printf '%s\n' "$out" | sed 's/^/    /'
  fi
}

# need COMMAND PACKAGE: install the Debian package when the command is missing and we are root.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $2 (for $1)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1; }
  fi
  command -v "$1" >/dev/null 2>&1
}

if need promtool prometheus; then
  run "promtool check rules prometheus/recording-rules.yml prometheus/alerts.yml" \
    promtool check rules prometheus/recording-rules.yml prometheus/alerts.yml
  # check config also loads the rule files the config names.
  run "promtool check config prometheus/prometheus.yml" promtool check config prometheus/prometheus.yml
  for t in tests/*_test.yml; do
    run "promtool test rules $t" promtool test rules "$t"
  done
else
  fail "promtool is not installed (Debian package prometheus) and cannot be installed here"
fi

if need amtool prometheus-alertmanager; then
  run "amtool check-config alertmanager/alertmanager.yml" amtool check-config alertmanager/alertmanager.yml
else
  echo "SKIP: amtool check-config (amtool not installed; Debian package prometheus-alertmanager)"
fi

have_yaml() { python3 -c 'import yaml' 2>/dev/null; }
if ! have_yaml && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing python3-yaml"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-yaml >/dev/null 2>&1
fi
if have_yaml; then
  out=$(python3 tests/check_structure.py 2>&1)
  rc=$?
  printf '%s\n' "$out" | grep -v '^structure:'
  summary=$(printf '%s\n' "$out" | grep '^structure:' | tail -1)
  if [[ $summary =~ ^structure:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    echo "structural checks: ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed"
    [ "$rc" = 0 ] || [ "${BASH_REMATCH[2]}" != 0 ] || fail "check_structure.py exited $rc"
  else
    fail "tests/check_structure.py did not finish (exit $rc)"
  fi
else
  fail "structural checks need python3-yaml (Debian package python3-yaml)"
fi

# Grafana's own dashboard schema (@grafana/schema), type-checked by TypeScript: the packages are
# pinned in schema/package-lock.json and installed into schema/node_modules (not committed).
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  if out=$(cd schema && npm ci --no-audit --no-fund --ignore-scripts --prefer-offline 2>&1); then
    run "Grafana schema (@grafana/schema, tsc): grafana/plasticity-overview.json" \
      node schema/check.mjs grafana/plasticity-overview.json
    # The check must be able to fail: a copy with one broken panel (a height that is text, as a
    # hand edit might leave it) must be refused, or the types above it check nothing.
    broken="$(mktemp -d)/broken-panel.json"
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["panels"][0]["gridPos"]["h"] = "8"; json.dump(d, open(sys.argv[2], "w"), indent=2)' \
      grafana/plasticity-overview.json "$broken"
    if out=$(node schema/check.mjs "$broken" 2>&1); then
      fail "Grafana schema check refuses a panel whose gridPos.h is a string (it accepted it)"
    elif printf '%s\n' "$out" | grep -q "broken-panel.json:[0-9]*:[0-9]*: error TS"; then
      pass "Grafana schema check refuses a panel whose gridPos.h is a string"
    else
      fail "Grafana schema check of a broken panel failed without a TypeScript error"
      printf '%s\n' "$out" | sed 's/^/    /'
    fi
    rm -rf "$(dirname "$broken")"
  else
    fail "npm ci in dashboards/schema (the npm registry must be reachable once)"
    printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
  fi
else
  fail "the Grafana schema check needs Node.js with npm"
fi

echo "dashboards: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
