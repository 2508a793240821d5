#!/usr/bin/env python3
"""Structural checks of dashboards/: the Grafana dashboard, the rule files, their tests, the
runbook, the Alertmanager and provisioning files.

The dashboard-linter rules that matter (a `datasource` variable, no fixed datasource uid, titles,
descriptions, units, unique panel ids, a stable uid), the monitoring-mixin conventions for alerts
(prefix, severity, static summary, templated description, runbook anchor, a unit test just before
and just after each `for`), and the metric contract: every metric an expression reads is one the
plugin exports (docs/metrics.md) or one a recording rule produces.

Prints each failed check (each check with -v) and `structure: N passed, M failed`; exits 1 on
any failure. Needs PyYAML (Debian: python3-yaml). Usage: check_structure.py [-v] [dashboards dir]
"""

import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, HERE)
import promql  # noqa: E402
from contract import CONTRACT  # noqa: E402

DASHBOARD_UID = "plasticity-overview"
DATASOURCE_REFS = {"${datasource}", "$datasource"}
SEVERITIES = {"critical", "warning", "info"}
# `<base>#<anchor>`: the base is this repository's runbook by its path unless set-runbook-base.sh
# points it elsewhere; one base for all alerts.
RUNBOOK_URL = re.compile(r"^(\S+)#([a-z0-9-]+)$")
RECORD_NAME = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")
ALERT_NAME = re.compile(r"^Plasticity(?:[A-Z][a-z0-9]*)+$")

# Series Prometheus itself provides, which rules may read.
BUILTIN = {"up", "ALERTS", "ALERTS_FOR_STATE"}

results = []
VERBOSE = "-v" in sys.argv[1:]


def check(name, ok, detail=""):
    results.append(bool(ok))
    if VERBOSE or not ok:
        print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" -- {detail}" if detail and not ok else ""))


def contract_from_markdown(path):
    """Prometheus names from the Meters table of metrics.md (`…_*` is a timer: count, sum, max)."""
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)]
            if len(cells) < 5 or not cells[1].startswith("`plasticity."):
                continue
            for name in re.findall(r"`(plasticity_[a-z_]+\*?)`", cells[3]):
                if name.endswith("_*"):
                    names.update(name[:-1] + s for s in ("count", "sum", "max"))
                else:
                    names.add(name)
    return names


def go_duration(text):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    parts = re.findall(r"(\d+)(ms|[smhdwy])", str(text))
    if not parts or "".join(a + b for a, b in parts) != str(text):
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(a) * units[b] for a, b in parts)


def github_anchors(markdown):
    anchors = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
        if m:
            a = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
            anchors.add(a)
    return anchors


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    root = os.path.abspath(args[0] if args else os.path.join(HERE, ".."))
    repo = os.path.dirname(root)
    p = lambda *parts: os.path.join(root, *parts)  # noqa: E731

    # --- the metric contract ------------------------------------------------------------------
    md = os.environ.get("PLASTICITY_METRICS_MD") or os.path.join(repo, "docs", "metrics.md")
    if os.path.exists(md):
        from_md = contract_from_markdown(md)
        check(f"contract list matches {os.path.relpath(md, repo)}", from_md == CONTRACT,
              f"only in metrics.md: {sorted(from_md - CONTRACT)}, only here: {sorted(CONTRACT - from_md)}")
    else:
        print(f"note: {md} not found; using the contract list in contract.py")

    # --- rule files ---------------------------------------------------------------------------
    with open(p("prometheus", "recording-rules.yml")) as f:
        recording = yaml.safe_load(f)
    alerts_text = open(p("prometheus", "alerts.yml")).read()
    alerts_doc = yaml.safe_load(alerts_text)
    records = [r for g in recording["groups"] for r in g["rules"] if "record" in r]
    alerts = [r for g in alerts_doc["groups"] for r in g["rules"] if "alert" in r]
    check("recording-rules.yml holds only recording rules",
          all("record" in r for g in recording["groups"] for r in g["rules"]))
    check("alerts.yml holds only alerts", all("alert" in r for g in alerts_doc["groups"] for r in g["rules"]))
    recorded = {r["record"] for r in records}
    known = CONTRACT | recorded | BUILTIN

    bad = [r["record"] for r in records if not RECORD_NAME.match(r["record"])]
    check("recording rules are named level:metric:operations", not bad, f"{bad}")
    check("recording rule names are unique", len(recorded) == len(records))

    for r in records:
        used = promql.metric_names(r["expr"])
        check(f"recording rule {r['record']} reads only contract metrics", used and used <= known,
              f"unknown: {sorted(used - known)}")

    runbook = open(p("runbook.md"), encoding="utf-8").read()
    anchors = github_anchors(runbook)
    names = [a["alert"] for a in alerts]
    bases = set()
    check("alert names are unique", len(names) == len(set(names)), f"{names}")
    for a in alerts:
        n = a["alert"]
        ann = a.get("annotations", {})
        check(f"{n}: CamelCase name with prefix Plasticity", ALERT_NAME.match(n))
        check(f"{n}: severity is critical|warning|info", a.get("labels", {}).get("severity") in SEVERITIES,
              f"{a.get('labels')}")
        check(f"{n}: static summary", ann.get("summary") and "{{" not in ann["summary"], f"{ann.get('summary')!r}")
        check(f"{n}: templated description", ann.get("description") and "{{" in ann["description"])
        m = RUNBOOK_URL.match(ann.get("runbook_url", ""))
        check(f"{n}: runbook_url points to its section of runbook.md",
              m and m.group(2) == n.lower() and m.group(2) in anchors, f"{ann.get('runbook_url')!r}")
        if m:
            bases.add(m.group(1))
        used = promql.metric_names(a["expr"])
        check(f"{n}: reads only contract metrics and recorded series", used and used <= known,
              f"unknown: {sorted(used - known)}")
        # The comment block between `- alert:` and `expr:` must explain the rule and, where the
        # expression compares with a number, say why that threshold.
        block = re.search(r"- alert: " + re.escape(n) + r"\n((?:\s*#.*\n)*)\s*expr:", alerts_text)
        has_threshold = re.search(r"(?:[<>]=?|==|!=)\s*[0-9.]", a["expr"])
        check(f"{n}: commented" + (" with its threshold" if has_threshold else ""),
              block and block.group(1).strip()
              and (not has_threshold or re.search(r"#\s*Threshold", block.group(1))))
        check(f"{n}: has a for duration", "for" in a and go_duration(a["for"]) > 0)
    check("every runbook_url has one base (dashboards/set-runbook-base.sh sets it)", len(bases) == 1,
          f"{sorted(bases)}")

    # --- unit tests: every alert just before and just after its `for` -------------------------
    tests_dir = p("tests")
    test_docs = []
    for fn in sorted(os.listdir(tests_dir)):
        if fn.endswith((".yml", ".yaml")):
            with open(os.path.join(tests_dir, fn)) as f:
                test_docs.append((fn, yaml.safe_load(f)))
    check("promtool test files exist", test_docs)
    quiet, fired, tested_exprs = {}, {}, []
    for fn, doc in test_docs:
        interval = go_duration(doc.get("evaluation_interval", "1m"))
        for t in doc.get("tests", []):
            for at in t.get("alert_rule_test", []):
                target = fired if at.get("exp_alerts") else quiet
                target.setdefault(at["alertname"], []).append((go_duration(at["eval_time"]), interval))
            tested_exprs += [e["expr"] for e in t.get("promql_expr_test", [])]
    for a in alerts:
        n, hold = a["alert"], go_duration(a.get("for", "0s"))
        pairs = [(q, f) for q, _ in quiet.get(n, []) for f, iv in fired.get(n, []) if 0 < f - q <= iv and f >= hold]
        check(f"{n}: unit-tested just before and just after its for ({a.get('for')})", pairs,
              f"quiet at {quiet.get(n)}, firing at {fired.get(n)}")
    for r in records:
        check(f"{r['record']}: unit-tested", any(r["record"] in promql.metric_names(e) for e in tested_exprs))

    # --- the dashboard ------------------------------------------------------------------------
    path = p("grafana", "plasticity-overview.json")
    try:
        with open(path) as f:
            dash = json.load(f)
        check("dashboard JSON parses", True)
    except ValueError as e:
        check("dashboard JSON parses", False, str(e))
        return
    check(f"dashboard has the stable uid {DASHBOARD_UID!r}", dash.get("uid") == DASHBOARD_UID, f"{dash.get('uid')!r}")
    check("dashboard id is null (importable)", dash.get("id") is None)
    check("dashboard has a title and a description", dash.get("title") and dash.get("description"))
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource", {})
    check("datasource variable of type datasource, query prometheus",
          ds.get("type") == "datasource" and ds.get("query") == "prometheus", f"{ds}")
    for name in ("run", "layer"):
        v = variables.get(name, {})
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        check(f"{name} variable from label_values(…, {name})",
              v.get("type") == "query" and promql.LABEL_VALUES.match(q or "")
              and promql.LABEL_VALUES.match(q).group("label") == name, f"{q!r}")

    refs = []

    def collect(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "datasource" and where != "templating/datasource":
                    refs.append((where, v))
                collect(v, where)
        elif isinstance(node, list):
            for item in node:
                collect(item, where)

    for v in dash.get("templating", {}).get("list", []):
        collect(v, f"templating/{v.get('name')}")
    collect(dash.get("annotations", {}), "annotations")
    collect(dash.get("panels", []), "panels")
    def variable_ref(r):
        if isinstance(r, dict):
            return r.get("uid") in DATASOURCE_REFS and r.get("type") == "prometheus"
        return r in DATASOURCE_REFS  # the old string form

    fixed = [(w, r) for w, r in refs if not variable_ref(r)]
    check("no fixed datasource uid (every reference is ${datasource})", refs and not fixed, f"{fixed}")

    panels = list(promql.walk_panels(dash.get("panels", [])))
    data_panels = [x for x in panels if x.get("type") != "row"]
    check("dashboard has panels", data_panels)
    ids = [x.get("id") for x in panels]
    check("panel ids are unique integers", len(ids) == len(set(ids)) and all(isinstance(i, int) for i in ids), f"{ids}")
    for x in data_panels:
        label = f"panel {x.get('id')} {x.get('title')!r}"
        check(f"{label}: title, description and unit",
              x.get("title") and x.get("description")
              and x.get("fieldConfig", {}).get("defaults", {}).get("unit"))
        targets = x.get("targets", [])
        refids = [t.get("refId") for t in targets]
        check(f"{label}: has queries with unique refIds",
              targets and all(t.get("expr") for t in targets) and len(refids) == len(set(refids)))
        g = x.get("gridPos", {})
        check(f"{label}: gridPos within 24 columns",
              g.get("w", 0) > 0 and g.get("h", 0) > 0 and g.get("x", -1) >= 0 and g["x"] + g["w"] <= 24)
    cells = {}
    overlap = []
    for x in data_panels:
        g = x["gridPos"]
        for cx in range(g["x"], g["x"] + g["w"]):
            for cy in range(g["y"], g["y"] + g["h"]):
                if (cx, cy) in cells:
                    overlap.append((cells[(cx, cy)], x["id"]))
                cells[(cx, cy)] = x["id"]
    check("panels do not overlap", not overlap, f"{sorted(set(overlap))}")
    annotations = dash.get("annotations", {}).get("list", [])
    check("task switches are an annotation on plasticity_task",
          any("plasticity_task" in promql.metric_names(a.get("expr", "")) for a in annotations))
    for where, kind, expr in promql.grafana_expressions(dash):
        used = promql.metric_names(promql.substitute_grafana(expr))
        check(f"{where}: reads only contract metrics", used and used <= known, f"unknown: {sorted(used - known)}")

    # --- Prometheus, Alertmanager, provisioning -----------------------------------------------
    with open(p("prometheus", "prometheus.yml")) as f:
        prom = yaml.safe_load(f)
    check("prometheus.yml loads both rule files",
          set(prom.get("rule_files", [])) == {"recording-rules.yml", "alerts.yml"}, f"{prom.get('rule_files')}")
    targets = [t for sc in prom.get("scrape_configs", []) for s in sc.get("static_configs", []) for t in s["targets"]]
    check("prometheus.yml scrapes the sample app at 127.0.0.1:9404", "127.0.0.1:9404" in targets, f"{targets}")
    ams = [t for a in prom.get("alerting", {}).get("alertmanagers", []) for s in a.get("static_configs", []) for t in s["targets"]]
    check("prometheus.yml alerts to Alertmanager at 127.0.0.1:9093", ams == ["127.0.0.1:9093"], f"{ams}")

    with open(p("alertmanager", "alertmanager.yml")) as f:
        am = yaml.safe_load(f)
    receivers = {r["name"]: r for r in am.get("receivers", [])}
    routes = [r for r in am.get("route", {}).get("routes", [])
              if any(re.fullmatch(r'alertname\s*=~\s*"?Plasticity\.\*"?', m) for m in r.get("matchers", []))]
    check("alertmanager.yml routes Plasticity.* alerts to a webhook receiver",
          len(routes) == 1 and receivers.get(routes[0]["receiver"], {}).get("webhook_configs"), f"{routes}")

    with open(p("docker-compose.yml")) as f:
        compose = yaml.safe_load(f)
    missing = []
    for svc in compose.get("services", {}).values():
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith((".", "/")) and not os.path.exists(os.path.join(root, src)):
                missing.append(src)
    check("docker-compose.yml mounts only files that exist", compose.get("services") and not missing, f"{missing}")
    for sub in ("datasources", "dashboards"):
        d = p("grafana", "provisioning", sub)
        files = [fn for fn in os.listdir(d) if fn.endswith(".yml")] if os.path.isdir(d) else []
        ok = bool(files)
        for fn in files:
            with open(os.path.join(d, fn)) as f:
                doc = yaml.safe_load(f)
            ok = ok and doc.get("apiVersion") == 1 and doc.get(sub if sub == "datasources" else "providers")
        check(f"grafana provisioning: {sub}", ok)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure, reported like one
        import traceback
        traceback.print_exc()
        check("structure check ran to the end", False, repr(e))
    passed, failed = results.count(True), results.count(False)
    print(f"structure: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
