#!/usr/bin/env bash
# Benchmark of /metrics under load: the load check (load_check.py) plus two runs of the sample app
# without scraping, before and after the scraped one, and a table of training time, scrape rate,
# scrape latency, and the slowdown of training under scraping. The slowdown depends on what else
# the machine runs, so it is a number to read (src/bench/README.md keeps measured ones), not a test.
#
#   src/reliability/bench.sh [load_check.py options]    e.g. --tasks 3, --connections 16
#
# About 3 minutes on 2 cores. Same prerequisites as src/reliability/run.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --bench "$@"
