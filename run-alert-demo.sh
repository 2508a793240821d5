#!/usr/bin/env bash
# See a plasticity alert arrive, on one machine, in minutes: starts Prometheus, Alertmanager (the
# Debian packages) and a small webhook receiver on 127.0.0.1, runs the sample app against them,
# and prints each alert as Prometheus evaluates it and as the receiver gets it. Uses the project's
# own dashboards/prometheus and dashboards/alertmanager files; stops everything it started when
# it ends (Ctrl-C, or --until-first-alert).
#
#   ./run-alert-demo.sh                      the project's rules: the first alert in about 6-7 minutes
#   ./run-alert-demo.sh --fast               every `for:` shortened to 10s (said in every line)
#   ./run-alert-demo.sh --until-first-alert  stop at the first notification
#   ./run-alert-demo.sh -- --tasks 4         options after -- go to the sample app
#   ./run-alert-demo.sh --help               all options (src/alert-demo/alert_demo.py)
#
# Needs Java 17 and Python 3; installs the Debian packages prometheus and prometheus-alertmanager
# when missing (as root), builds the sample app when missing, and fetches MNIST
# (./run-sample.sh --fetch-only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"
say() { printf 'alert demo: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

case " $* " in
  *" -h "* | *" --help "*) exec python3 "$ROOT/src/alert-demo/alert_demo.py" --help ;;
esac

# shellcheck source=src/lib/checks.sh
. "$ROOT/src/lib/checks.sh"

need prometheus prometheus
need prometheus-alertmanager prometheus-alertmanager
need python3 python3
need java openjdk-17-jre-headless

prepare_sample_app

run_check "$ROOT/src/alert-demo/alert_demo.py" --jar "$JAR" "$@"
