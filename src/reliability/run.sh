#!/usr/bin/env bash
# Reliability under load: /metrics under sustained concurrent scraping (wrk, from Debian) while the
# sample app trains on real MNIST; no socket errors, no non-2xx, a valid scrape. How much scraping
# slows training is a benchmark, src/reliability/bench.sh. See load_check.py for what is run and
# asserted; docs/reliability.md for the rest of the reliability checks (they are JUnit tests).
#
#   src/reliability/run.sh [load_check.py options]    e.g. --keep, --tasks 3, --connections 16
#
# Needs Java 17 and Python 3. Installs the Debian packages wrk, prometheus (promtool) and iproute2
# (ss) when missing and run as root, builds sample-app/target/sample-app.jar with Maven when it is
# missing, and fetches MNIST through ./run-sample.sh --fetch-only. About 1 minute on 2 cores.
# The last line is `reliability: N passed, M failed`; the exit status is non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT"
say() { printf 'reliability: %s\n' "$*" >&2; }
die() { say "$*"; echo "reliability: 0 passed, 1 failed"; exit 1; }

# shellcheck source=../lib/checks.sh
. "$ROOT/src/lib/checks.sh"

need wrk wrk
need promtool prometheus
need python3 python3
need ss iproute2
need java openjdk-17-jre-headless

prepare_sample_app

run_check "$ROOT/src/reliability/load_check.py" --jar "$JAR" "$@"
