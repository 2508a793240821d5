#!/usr/bin/env bash
# Sets where the alerts' runbook_url annotations point: every `runbook_url: <base>#<alert>` in
# prometheus/alerts.yml and in its unit tests (tests/alerts_test.yml) becomes `<NEW_BASE>#<alert>`.
# The committed base is `dashboards/runbook.md`, the runbook in this repository, by its path; point
# it at the copy your team can open, then load the rewritten alerts.yml into your Prometheus:
#
#   dashboards/set-runbook-base.sh https://git.example.org/ml/plasticity-monitor/blob/main/dashboards/runbook.md
#   dashboards/set-runbook-base.sh file:///opt/plasticity-monitor/dashboards/runbook.md
#   dashboards/set-runbook-base.sh dashboards/runbook.md                  (back to the default)
#   dashboards/set-runbook-base.sh URL DIR      rewrite the copies in DIR (alerts.yml, alerts_test.yml)
#
# The anchors are the runbook's own section anchors (GitHub's: the alert name in lower case), so
# the runbook must keep its headings. dashboards/test.sh checks every alert's anchor exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
base=${1:?usage: set-runbook-base.sh NEW_BASE [DIR]}
case "$base" in
  *'#'* | *' '* | *'|'*) echo "set-runbook-base.sh: the base must hold no '#', space or '|' (got: $base)" >&2; exit 2 ;;
esac
if [ $# -ge 2 ]; then
  files=("$2/alerts.yml" "$2/alerts_test.yml")
else
  files=("$here/prometheus/alerts.yml" "$here/tests/alerts_test.yml")
fi
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  n=$(grep -c 'runbook_url: [^ ]*#[a-z0-9-]*$' "$f" || true)
  sed -i -E "s|(runbook_url: )[^ ]*#([a-z0-9-]+)$|\1${base}#\2|" "$f"
  echo "set-runbook-base.sh: $n runbook_url(s) in $f now start with $base"
done
