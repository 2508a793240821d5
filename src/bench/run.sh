#!/usr/bin/env bash
# Plasticity Monitor's benchmarks, one command (see README.md beside this file):
#
#   src/bench/run.sh [all|overhead|end-of-task|width|memory|resnet50|resnet50-tasks|resnet50-phases|short-task]
#                    [--cycles N] [--iterations N] [--widths 128,256,...] [--conv-channels N] [--svd]
#                    [--tasks N] [--task-iterations N] [--resnet-input N] [--resnet-batch N]
#                    [--resnet-probe N] [--resnet-tasks N] [--resnet-task-iterations N] [--resnet-step-every N]
#                    [--lengths 5,50,500] [--out FILE]
#
# Builds the plugin and the bench module (the parent's `bench` profile; tests skipped), then runs
# the harness with BLAS on one thread, each section in a fresh JVM. Extra Maven flags: BENCH_MVN_FLAGS (e.g. "-o" offline).
# The Markdown report goes to stdout and to src/bench/target/bench-results.md unless --out is given.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BENCH="$ROOT/src/bench"
cd "$ROOT"
# shellcheck disable=SC2086
mvn -q ${BENCH_MVN_FLAGS:-} -P bench -pl src/bench -am -DskipTests package \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
args=("$@")
if [[ " ${args[*]:-} " != *" --out "* ]]; then
  args+=(--out "$BENCH/target/bench-results.md")
fi
export OMP_NUM_THREADS=1
# BENCH_JAVA_OPTS replaces -Xmx8g: width 16384 needs more than 16 GB (README, "Wide layers").
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx8g} -cp "$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")" \
  io.plasticitymonitor.bench.Bench "${args[@]}"
