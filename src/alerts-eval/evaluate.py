#!/usr/bin/env python3
"""Evaluates alert rules over the runs recorded by run.sh, with promtool, against ground truth.

    evaluate.py --runs DIR --rules FILE [--rules FILE ...] [--report-seeds 2,3,4]
                [--gap-fraction 0.1] [--work DIR] [--step 0.25] [--rule-interval 5]

For each recorded run (DIR/<regime>-s<seed>/, see run.sh):

1. Ground truth from the app's results.csv: the run has lost plasticity from the first task whose
   gap to a fresh network exceeds FRACTION of the fresh network's result (accuracy: fresh −
   achieved > FRACTION·fresh; an error: achieved − fresh > FRACTION·fresh) and stays above it on
   every later task. That task is the onset; a run without one is healthy.
2. The run's scrapes become the input series of a `promtool test rules` file, one sample per
   STEP seconds of the run's wall time (missing scrapes stay missing), replayed INTERVAL seconds
   apart: the sample app's tasks last seconds where a user's last hours, so the replay is slowed
   down (by 20 at the defaults: a scrape every 0.25 s of the run becomes the example
   prometheus.yml's 5 s) and a rule's `for: 10s` means two evaluations, as in production, rather
   than several whole tasks. Each sample carries the labels a
   Prometheus scrape adds (job="plasticity", instance). One series is re-timed: the app trains the
   fresh baseline between a task's endTask and the next startTask, a pause a user's training loop
   does not have, and during it plasticity_task still names the ended task. So that neither the
   rules' task clock nor the leads below gain a task from that pause, plasticity_task is replaced
   by 1 + the number of tasks ended by then, at most the task count: the value a loop that starts
   each task as soon as endTask returns would show. endTask returns after the task-end analysis
   has set the end gauges, so a task counts as ended from the first scrape after its `ended_at`
   (tasks.jsonl) that shows its new plasticity_task_end_score. The rule files are
   evaluated every INTERVAL seconds by promtool, i.e. by Prometheus's own rule engine, alerting `for:`
   included, and one query asks it when each alert first fired:
   min_over_time(timestamp(ALERTS{alertstate="firing"})).
   promtool reports the answer as the failure of a test that expected nothing; this script reads it.
3. The task an alert first fired in is that re-timed `plasticity_task` at that moment (1 + the
   tasks ended). Its lead is onset − that task: positive when it fired before the onset task
   began, 0 while the onset task was being trained.

Prints the ground truth of every run, then for the tuning seeds and the report seeds apart, per
alert, per regime and for any plasticity alert: recall on losing runs (fired at all, and at least
one task before the onset), the leads, and false alarms on healthy runs.
"""
import argparse
import csv
import datetime
import json
import math
import os
import re
import subprocess
import sys
from collections import defaultdict

import yaml

# Alerts about the monitor itself, not about plasticity: not counted in "any plasticity alert".
HEALTH_ALERTS = re.compile(r"^Plasticity(MonitorAbsent|Analysis\w*|\w*Errors?\w*)$")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
GOT = re.compile(r'^\s*got:\s*(.*)$')
GOT_SAMPLE = re.compile(r'(\{[^}]*\})\s+(\S+)')


def read_scrapes(path):
    """[(unix_ms, {(name, labels tuple): value})] from record.py's scrapes.prom."""
    scrapes = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# SCRAPE "):
                scrapes.append((int(line.split()[2]), {}))
                continue
            if not line or line.startswith("#") or not scrapes:
                continue
            m = SAMPLE.match(line)
            if not m or not m.group(1).startswith("plasticity_"):
                continue
            labels = tuple(sorted(LABEL.findall(m.group(3) or "")))
            scrapes[-1][1][(m.group(1), labels)] = float(m.group(4))
    return scrapes


def ground_truth(results_csv, fraction):
    """(onset task index or None, [(index, achieved, fresh, gap)], headline)."""
    with open(results_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    tasks = []
    for r in rows:
        fresh = float(r["baseline"]) if r.get("baseline") not in (None, "") else math.nan
        achieved = float(r["achieved"]) if r.get("achieved") not in (None, "") else math.nan
        gap = float(r["gap"]) if r.get("gap") not in (None, "") else math.nan
        tasks.append((int(r["index"]), achieved, fresh, gap))
    over = [not math.isnan(g) and g > fraction * abs(b) for _, _, b, g in tasks]
    onset = None
    for i in range(len(tasks)):
        if all(over[i:]):
            onset = tasks[i][0]
            break
    return onset, tasks, rows[0]["headline"] if rows else "?"


def signals(tasks_jsonl, scrapes):
    """Per ended task, the early-warning signals as the task log shows them at the task's end,
    each the lowest over the layers: the hidden layers' dead- and merge-distance p10 against the
    layer's best at earlier task ends; the weight magnitude against its highest scraped value so
    far (the first analysis, near initialisation, is only in the scrapes); then the end score
    against the best of the first three and the task's step plasticity against the best of the
    first two. The recording rules also see analyses between task ends, so they can differ a
    little."""
    rows, best, scores, steps = [], {}, [], []
    with open(tasks_jsonl) as f:
        tasks = [json.loads(line) for line in f]
    ends = task_ends(tasks_jsonl)
    for t, end in zip(tasks, ends):
        ratio = {}
        for l in t["layers"]:
            if l.get("hidden"):
                for key in ("dead_distance", "merge_distance"):
                    v = (l.get(key) or {}).get("p10")
                    if v is None:
                        continue
                    b = best[(key, l["layer"])] = max(best.get((key, l["layer"]), 0.0), v)
                    ratio[key] = min(ratio.get(key, math.inf), v / b if b > 0 else math.nan)
            w = l.get("weight_magnitude")
            if w is not None:
                seen = [v for ts, x in scrapes if ts <= end
                        for (name, labels), v in x.items()
                        if name == "plasticity_weight_magnitude" and ("layer", l["layer"]) in labels
                        and not math.isnan(v)]
                top = max(seen + [w])
                ratio["weight"] = min(ratio.get("weight", math.inf), w / top if top > 0 else math.nan)
        if t.get("end_score") is not None and len(scores) < 3:
            scores.append(t["end_score"])
        score = t.get("end_score")
        step = t.get("step_improvement")
        if step is not None and len(steps) < 2:
            steps.append(step)
        rows.append((ratio.get("dead_distance", math.nan), ratio.get("merge_distance", math.nan),
                     ratio.get("weight", math.nan),
                     score / min(scores) if score is not None and scores and min(scores) > 0
                     else math.nan,
                     step / max(steps) if step is not None and steps and max(steps) > 0
                     else math.nan))
    return rows


def fmt(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)


def promql_labels(name, labels, instance):
    pairs = [("__name__", name)] + list(labels) + [("job", "plasticity"), ("instance", instance)]
    inner = ", ".join('%s="%s"' % (k, v) for k, v in pairs[1:])
    return "%s{%s}" % (name, inner)


def task_ends(tasks_jsonl):
    """Unix milliseconds of each task's end, in order."""
    ends = []
    with open(tasks_jsonl) as f:
        for line in f:
            t = json.loads(line)["ended_at"]
            t = re.sub(r"(\.\d{6})\d*", r"\1", t).replace("Z", "+00:00")
            ends.append(datetime.datetime.fromisoformat(t).timestamp() * 1000)
    return ends


def first_firings(run_dir, scrapes, ends, rules, step, interval, work):
    """{(alertname, labels): rule-time seconds since the first scrape when it first fired}, the
    grid, and the rule time of one grid step. A grid step is STEP seconds of the run and INTERVAL
    seconds of rule time (the replay's time dilation, see the module's doc)."""
    t0 = scrapes[0][0]
    n = int(round((scrapes[-1][0] - t0) / 1000.0 / step)) + 1
    grid = defaultdict(lambda: ["_"] * n)
    # endTask returns once the task-end analysis is published and the end gauges are set, a
    # moment after its `ended_at`: a task counts as ended from the first scrape after `ended_at`
    # whose plasticity_task_end_score differs from the one before (the task's own end score).
    def end_score(samples):
        return next((v for (name, _), v in samples.items() if name == "plasticity_task_end_score"), None)
    returned = []
    for e in ends:
        before = [end_score(x) for ts, x in scrapes if ts < e]
        prev = before[-1] if before else None
        later = [ts for ts, x in scrapes if ts >= e and fmt(end_score(x) or math.nan) != fmt(prev or math.nan)]
        returned.append(later[0] if later else e)
    for ts, samples in scrapes:
        i = int(round((ts - t0) / 1000.0 / step))
        for key, v in samples.items():
            if key[0] == "plasticity_task":
                v = min(len(ends), 1 + sum(1 for e in returned if e <= ts))
            grid[key][i] = fmt(v)
    end = (n - 1) * interval
    instance = "127.0.0.1:%s" % os.path.basename(run_dir)
    os.makedirs(work, exist_ok=True)
    test = os.path.join(work, os.path.basename(run_dir) + "_test.yml")
    with open(test, "w") as f:
        f.write("# Generated by src/alerts-eval/evaluate.py from %s; not a unit test.\n" % run_dir)
        f.write("rule_files:\n")
        for r in rules:
            f.write("  - %s\n" % os.path.abspath(r))
        f.write("evaluation_interval: %ds\n" % interval)
        # Groups in file order, as dashboards/tests/*_test.yml do: each alert sees the recording
        # rules of the same evaluation, as a real Prometheus sees them one interval later at most.
        f.write("group_eval_order:\n")
        for r in rules:
            with open(r) as rf:
                for g in yaml.safe_load(rf)["groups"]:
                    f.write("  - %s\n" % g["name"])
        f.write("tests:\n  - interval: %ds\n    input_series:\n" % interval)
        for (name, labels), values in sorted(grid.items()):
            f.write("      - series: '%s'\n        values: '%s'\n"
                    % (promql_labels(name, labels, instance), " ".join(values)))
        f.write("    promql_expr_test:\n")
        f.write("      - expr: min_over_time(timestamp(ALERTS{alertstate=\"firing\"})[%ds:%ds])\n"
                % (end + interval, interval))
        f.write("        eval_time: %ds\n        exp_samples: []\n" % end)
    p = subprocess.run(["promtool", "test", "rules", test], capture_output=True, text=True)
    out = p.stdout + p.stderr
    firings = {}
    if p.returncode != 0:
        got = [GOT.match(l) for l in out.splitlines()]
        got = [g.group(1) for g in got if g]
        if not got:
            raise SystemExit("promtool failed on %s:\n%s" % (test, out))
        for g in got:
            for labels, value in GOT_SAMPLE.findall(g):
                lab = dict(LABEL.findall(labels))
                key = (lab.pop("alertname"), tuple(sorted((k, v) for k, v in lab.items()
                                                          if k not in ("alertstate",))))
                firings[key] = float(value.rstrip(","))
    return firings, grid, t0, interval


def task_at(grid, seconds, step):
    """The run's plasticity_task at that moment (last scraped value at or before it)."""
    series = [v for (name, _), v in grid.items() if name == "plasticity_task"]
    if not series:
        return None
    i = int(round(seconds / step))
    for j in range(min(i, len(series[0]) - 1), -1, -1):
        if series[0][j] != "_":
            return int(float(series[0][j]))
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", required=True)
    p.add_argument("--rules", action="append", required=True)
    p.add_argument("--report-seeds", default="2,3,4")
    p.add_argument("--gap-fraction", type=float, default=0.1)
    p.add_argument("--work", default=None)
    p.add_argument("--step", type=float, default=0.25,
                   help="seconds of the run per replayed sample (record.py's interval)")
    p.add_argument("--rule-interval", type=int, default=5,
                   help="seconds of rule time per replayed sample: scrape and evaluation interval")
    p.add_argument("--signals", action="store_true",
                   help="also print each run's early-warning signals at every task end")
    p.add_argument("--without-for", action="store_true",
                   help="evaluate copies of the rule files with every alert's `for:` removed: "
                        "what the conditions alone would do")
    a = p.parse_args()
    work = a.work or os.path.join(a.runs, "_promtool")
    names = []
    for r in a.rules:
        with open(r) as f:
            names += [x["alert"] for g in yaml.safe_load(f)["groups"] for x in g["rules"] if "alert" in x]
    if a.without_for:
        os.makedirs(work, exist_ok=True)
        copies = []
        for r in a.rules:
            with open(r) as f:
                doc = yaml.safe_load(f)
            for g in doc["groups"]:
                for x in g["rules"]:
                    x.pop("for", None)
            copies.append(os.path.join(work, "without-for-" + os.path.basename(r)))
            with open(copies[-1], "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
        a.rules = copies
    report_seeds = set(a.report_seeds.split(","))

    runs = []
    for d in sorted(os.listdir(a.runs)):
        m = re.match(r"^(.+)-s(\d+)$", d)
        path = os.path.join(a.runs, d)
        csv_path = os.path.join(path, d, "results.csv")
        if not m or not os.path.exists(os.path.join(path, "done")) or not os.path.exists(csv_path):
            continue
        scrapes = read_scrapes(os.path.join(path, "scrapes.prom"))
        if not scrapes:
            continue
        onset, tasks, headline = ground_truth(csv_path, a.gap_fraction)
        ends = task_ends(os.path.join(path, d, "tasks.jsonl"))
        firings, grid, _, step = first_firings(path, scrapes, ends, a.rules, a.step,
                                               a.rule_interval, work)
        first = {}
        for (alert, _), t in firings.items():
            task = task_at(grid, t, step)
            if alert not in first or t < first[alert][0]:
                first[alert] = (t, task)
        expected = open(os.path.join(path, "expected")).read().strip()
        sig = signals(os.path.join(path, d, "tasks.jsonl"), scrapes)
        runs.append(dict(id=d, regime=m.group(1), seed=m.group(2), expected=expected, signals=sig,
                         onset=onset, tasks=tasks, headline=headline, first=first,
                         seconds=(scrapes[-1][0] - scrapes[0][0]) / 1000.0))

    if a.without_for:
        print("Every alert's `for:` removed (--without-for): the conditions alone.")
    print("Ground truth: onset = first task whose gap to a fresh network exceeds %g of the fresh "
          "network's result and stays above it (dashboards/README.md)." % a.gap_fraction)
    print("| run | expected | gap per task (fresh − achieved) | onset | first firing (alert@task) |")
    print("|---|---|---|---|---|")
    for r in runs:
        gaps = " ".join("%+.3f" % g for _, _, _, g in r["tasks"])
        fired = ", ".join("%s@%s" % (k.replace("Plasticity", ""), v[1])
                          for k, v in sorted(r["first"].items(), key=lambda kv: kv[1][0]))
        print("| %s | %s | %s | %s | %s |" % (r["id"], r["expected"], gaps,
                                             r["onset"] if r["onset"] else "healthy", fired or "–"))

    if a.signals:
        print()
        print("Early-warning signals at each task end (task log): dead-distance p10 / best, "
              "merge-distance p10 / best (lowest over the hidden layers), weight magnitude / highest "
              "(lowest over the layers), end score / best early end score, step plasticity / best early.")
        print("| run | onset | dead distance | merge distance | weight magnitude | end score "
              "| step plasticity |")
        print("|---|---|---|---|---|---|---|")
        for r in runs:
            cols = [" ".join("%.2f" % x[i] for x in r["signals"]) for i in range(5)]
            print("| %s | %s | %s |" % (r["id"], r["onset"] or "healthy", " | ".join(cols)))
    # Alerts about the monitor's own health are not judged against plasticity.
    alerts = [x for x in names if not HEALTH_ALERTS.match(x)]
    for split, keep in (("tuning seeds", lambda r: r["seed"] not in report_seeds),
                        ("report seeds " + a.report_seeds, lambda r: r["seed"] in report_seeds)):
        sel = [r for r in runs if keep(r)]
        if not sel:
            continue
        print()
        print("## %s: %d runs (%d losing, %d healthy by ground truth)" % (
            split, len(sel), sum(1 for r in sel if r["onset"]), sum(1 for r in sel if not r["onset"])))
        print("| alert | regime | losing runs alerted | alerted ≥1 task before onset | leads (tasks) | healthy runs alerted |")
        print("|---|---|---|---|---|---|")
        regimes = sorted({r["regime"] for r in sel})
        plast = alerts
        for alert in alerts + ["(any plasticity alert)"]:
            for regime in regimes + ["(all)"]:
                rs = [r for r in sel if regime == "(all)" or r["regime"] == regime]
                def fired(r):
                    if alert == "(any plasticity alert)":
                        ts = [r["first"][x] for x in plast if x in r["first"]]
                        return min(ts) if ts else None
                    return r["first"].get(alert)
                losing = [r for r in rs if r["onset"]]
                healthy = [r for r in rs if not r["onset"]]
                leads = []
                for r in losing:
                    f = fired(r)
                    leads.append(None if f is None or f[1] is None else r["onset"] - f[1])
                hit = sum(1 for x in leads if x is not None)
                early = sum(1 for x in leads if x is not None and x >= 1)
                fa = sum(1 for r in healthy if fired(r) is not None)
                if regime != "(all)" and not hit and not fa and alert != "(any plasticity alert)":
                    continue
                print("| %s | %s | %s | %s | %s | %s |" % (
                    alert, regime,
                    "%d/%d" % (hit, len(losing)) if losing else "–",
                    "%d/%d" % (early, len(losing)) if losing else "–",
                    " ".join("–" if x is None else "%+d" % x for x in leads) or "–",
                    "%d/%d" % (fa, len(healthy)) if healthy else "–"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
