#!/usr/bin/env python3
"""See a plasticity alert arrive: sample app -> Prometheus -> Alertmanager -> a webhook receiver.

Starts, all on 127.0.0.1 on free ports, in a temporary directory:
  1. a webhook receiver (an HTTP server in this process) that prints every notification
     Alertmanager sends it, as it arrives;
  2. Alertmanager (Debian's prometheus-alertmanager) with dashboards/alertmanager/alertmanager.yml,
     only the webhook URL substituted;
  3. the sample app (permuted MNIST, weight decay 0.1: it loses plasticity within a few tasks),
     serving /metrics and kept up after its last task until this program stops it;
  4. Prometheus (Debian's prometheus) with dashboards/prometheus/prometheus.yml and the project's
     rule files, only the scrape target and the Alertmanager address substituted.

Then prints where to look, each alert as Prometheus starts to evaluate it (pending: its `for:` is
running) and as it fires, and each notification the receiver gets. Runs until Ctrl-C, or with
--until-first-alert until the first notification arrives; --max-minutes bounds either. Stops
everything it started when it ends, also on Ctrl-C or SIGTERM.

The rules are the project's own: an alert fires only after its `for:` has held (5 minutes for the
task-accuracy alert, 10 for the layer alerts), and Alertmanager waits its `group_wait` (30 s)
before the first notification, so the first one arrives about 6-7 minutes after the start.
--fast shortens every `for:` to 10s and the group wait to 1s in the temporary copies, and says so
in every line it prints: what it shows is then the path of an alert, not its timing.

Python 3 stdlib only. ./run-alert-demo.sh installs the Debian packages, builds the app and
fetches MNIST first.
"""

import argparse
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARDS = os.path.join(ROOT, "dashboards")
T0 = time.monotonic()
PRINT_LOCK = threading.Lock()
FAST_NOTE = "  [--fast: `for:` shortened to 10s, not the rules' real timing]"


def say(msg=""):
    with PRINT_LOCK:
        print(f"[{time.monotonic() - T0:5.0f}s] {msg}" if msg else "", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


class Stop(Exception):
    """The demo ends early: a component failed, or the time is up."""


class Proc:
    """A started program, logged to a file, in its own process group so that stopping it stops all."""

    def __init__(self, name, cmd, work, stdout=None):
        self.name = name
        self.log_path = os.path.join(work, f"{name}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=work, start_new_session=True,
                                     stdout=stdout if stdout is not None else self.log,
                                     stderr=self.log if stdout is not None else subprocess.STDOUT)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()

    def tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join("    " + l for l in f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""


class Receiver:
    """The webhook receiver Alertmanager notifies: prints each alert of each notification."""

    def __init__(self, fast):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/plasticity"
        self.firing = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.end_headers()
                try:
                    payload = json.loads(body)
                except ValueError:
                    say(f"RECEIVED something that is not JSON: {body[:200]!r}")
                    return
                for a in payload.get("alerts", []):
                    outer.show(a, payload.get("receiver"), fast)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def show(self, alert, receiver, fast):
        labels, ann = alert.get("labels", {}), alert.get("annotations", {})
        status = alert.get("status", "?").upper()
        where = " ".join(f"{k}={labels[k]}" for k in ("run", "layer") if k in labels)
        with PRINT_LOCK:
            print(f"[{time.monotonic() - T0:5.0f}s] ALERT {status} {labels.get('alertname')} "
                  f"({labels.get('severity', '?')}) {where}  <- webhook receiver, from Alertmanager "
                  f"(receiver {receiver!r})" + (FAST_NOTE if fast else ""), flush=True)
            for key in ("summary", "description", "runbook_url"):
                if ann.get(key):
                    print(f"         {key}: {' '.join(ann[key].split())}", flush=True)
        if status == "FIRING":
            self.firing.append(labels.get("alertname"))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def substitute(text, old, new, what):
    if text.count(old) != 1:
        raise Stop(f"{what}: expected one {old!r}; has the file changed? (this demo substitutes it)")
    return text.replace(old, new)


def write_configs(work, app_port, am_port, webhook_url, fast):
    with open(os.path.join(DASHBOARDS, "prometheus", "prometheus.yml")) as f:
        prom = f.read()
    prom = substitute(prom, "targets: ['127.0.0.1:9404']", f"targets: ['127.0.0.1:{app_port}']", "prometheus.yml")
    prom = substitute(prom, "targets: ['127.0.0.1:9093']", f"targets: ['127.0.0.1:{am_port}']", "prometheus.yml")
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(prom)
    shutil.copy(os.path.join(DASHBOARDS, "prometheus", "recording-rules.yml"), work)
    with open(os.path.join(DASHBOARDS, "prometheus", "alerts.yml")) as f:
        alerts = f.read()
    if fast:
        alerts, n = re.subn(r"^(\s+)for:\s*\S+\s*$", r"\1for: 10s", alerts, flags=re.M)
        if n == 0:
            raise Stop("alerts.yml: no `for:` to shorten")
    # Links a reader can open here: the runbook of this checkout (set-runbook-base.sh does the
    # same to the committed file for a copy the team can open).
    alerts = re.sub(r"(runbook_url: )\S*#", lambda m: f"{m.group(1)}file://{DASHBOARDS}/runbook.md#", alerts)
    with open(os.path.join(work, "alerts.yml"), "w") as f:
        f.write(alerts)
    with open(os.path.join(DASHBOARDS, "alertmanager", "alertmanager.yml")) as f:
        am = f.read()
    am = substitute(am, "url: http://127.0.0.1:5001/plasticity", f"url: {webhook_url}", "alertmanager.yml")
    if fast:
        am = substitute(am, "group_wait: 30s", "group_wait: 1s", "alertmanager.yml")
    with open(os.path.join(work, "alertmanager.yml"), "w") as f:
        f.write(am)
    return alerts


def wait_ready(what, url, procs, seconds, body_ok=lambda body: True):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in procs:
            if not p.alive():
                raise Stop(f"{p.name} exited with status {p.proc.returncode}:\n{p.tail()}")
        try:
            status, body = get(url)
            if status == 200 and body_ok(body):
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise Stop(f"{what} did not answer {url} within {seconds}s")


def pipe_app_output(app):
    """Shows the sample app's own lines (its task table) as it prints them."""
    for raw in app.proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip()
        if line.strip():
            say(f"app | {line}")


def run(args, work, procs, receiver):
    app_port, prom_port, am_port = free_port(), free_port(), free_port()
    alerts = write_configs(work, app_port, am_port, receiver.url, args.fast)
    fors = sorted(set(re.findall(r"^\s+for:\s*(\S+)", alerts, flags=re.M)))
    if args.fast:
        say("=" * 100)
        say("--fast: every alert's `for:` is shortened to 10s and Alertmanager's group_wait to 1s, in")
        say(f"temporary copies in {work}. The project's rules (dashboards/prometheus/alerts.yml) wait longer.")
        say("=" * 100)

    am = Proc("alertmanager", [args.alertmanager, f"--config.file={work}/alertmanager.yml",
                               f"--storage.path={work}/am-data", f"--web.listen-address=127.0.0.1:{am_port}",
                               "--cluster.listen-address="], work)
    procs.append(am)
    run_id = f"alert-demo-{time.strftime('%Y%m%d-%H%M%S')}"
    app_cmd = ["java"] + os.environ.get("JAVA_OPTS", "").split() + [
        "-jar", args.jar, "--port", str(app_port), "--bind", "127.0.0.1", "--linger", "86400",
        "--run-id", run_id, "--output", os.path.join(work, "runs"), "--no-save-model"] + args.app_args
    app = Proc("app", app_cmd, work, stdout=subprocess.PIPE)
    procs.append(app)
    threading.Thread(target=pipe_app_output, args=(app,), daemon=True).start()
    wait_ready("Alertmanager", f"http://127.0.0.1:{am_port}/-/ready", [am], 60)
    # Prometheus starts once the app has published its first analysis: before, the monitor's
    # series are absent, which is what PlasticityMonitorAbsent reports (after 10 minutes, or 10
    # seconds with --fast).
    wait_ready("the sample app's first analysis", f"http://127.0.0.1:{app_port}/metrics", [app], 300,
               lambda body: "plasticity_last_analysis_iteration{" in body)
    prom = Proc("prometheus", [args.prometheus, f"--config.file={work}/prometheus.yml",
                               f"--storage.tsdb.path={work}/prom-data",
                               f"--web.listen-address=127.0.0.1:{prom_port}"], work)
    procs.append(prom)
    wait_ready("Prometheus", f"http://127.0.0.1:{prom_port}/-/ready", [prom], 60)
    # Rules evaluated before the first scrape see no series at all; start watching once
    # Prometheus holds the monitor's series and PlasticityMonitorAbsent has been evaluated on them.
    wait_ready("Prometheus's first scrape of the app",
               f"http://127.0.0.1:{prom_port}/api/v1/query?query=ALERTS%7Balertname%3D%22PlasticityMonitorAbsent%22%7D"
               "%20or%20absent(plasticity_last_analysis_iteration)", [prom, app], 60,
               lambda body: '"result":[]' in body)

    say()
    say("Everything runs on 127.0.0.1. Look here while it runs:")
    say(f"  Prometheus, alerts:   http://127.0.0.1:{prom_port}/alerts   (pending, then firing)")
    say(f"  Alertmanager:         http://127.0.0.1:{am_port}/#/alerts   (what it will notify)")
    say(f"  sample app /metrics:  http://127.0.0.1:{app_port}/metrics   (run {run_id})")
    say(f"  webhook receiver:     {receiver.url}   (this program; it prints what arrives)")
    say(f"Alert `for:` durations in force: {', '.join(fors)}; Alertmanager group_wait "
        f"{'1s' if args.fast else '30s'}." + ("" if args.fast else " The first alert takes about 6-7 minutes."))
    say("Ctrl-C stops everything." if not args.until_first_alert else "Stops at the first notification.")
    say()

    deadline = time.monotonic() + args.max_minutes * 60
    states = {}
    while True:
        for p in (am, prom):
            if not p.alive():
                raise Stop(f"{p.name} exited with status {p.proc.returncode}:\n{p.tail()}")
        if not app.alive() and app.proc.returncode != 0:
            raise Stop(f"the sample app exited with status {app.proc.returncode}:\n{app.tail()}")
        try:
            data = json.loads(get(f"http://127.0.0.1:{prom_port}/api/v1/alerts")[1])
            listed = {(a["labels"].get("alertname"), a["labels"].get("run"), a["labels"].get("layer"))
                      for a in data.get("data", {}).get("alerts", [])}
            for key in [k for k in states if k not in listed]:
                say(f"Prometheus: {key[0]} no longer {states.pop(key)} (its condition cleared)")
            for a in data.get("data", {}).get("alerts", []):
                labels = a["labels"]
                key = (labels.get("alertname"), labels.get("run"), labels.get("layer"))
                if states.get(key) != a["state"]:
                    states[key] = a["state"]
                    where = " ".join(f"{k}={labels[k]}" for k in ("run", "layer") if k in labels)
                    note = " (fires when its `for:` has held)" if a["state"] == "pending" else " (sent to Alertmanager)"
                    say(f"Prometheus: {key[0]} {a['state']} {where}{note}" + (FAST_NOTE if args.fast else ""))
        except (OSError, ValueError, KeyError, urllib.error.URLError):
            pass
        if args.until_first_alert and receiver.firing:
            say(f"the first alert arrived at the receiver: {receiver.firing[0]}")
            return 0
        if time.monotonic() > deadline:
            if args.until_first_alert:
                raise Stop(f"no alert reached the receiver within {args.max_minutes} minutes")
            say(f"{args.max_minutes} minutes are up")
            return 0
        time.sleep(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", default=os.path.join(ROOT, "sample-app", "target", "sample-app.jar"))
    ap.add_argument("--fast", action="store_true",
                    help="shorten every alert's `for:` to 10s and Alertmanager's group_wait to 1s (said in every line)")
    ap.add_argument("--until-first-alert", action="store_true",
                    help="stop when the first notification has arrived (exit 1 if none within --max-minutes)")
    ap.add_argument("--max-minutes", type=float, default=30, help="stop after this long (default 30)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (configs, logs, run)")
    ap.add_argument("app_args", nargs="*", help="after --: more options for the sample app, e.g. -- --tasks 4")
    args = ap.parse_args()
    args.prometheus = shutil.which("prometheus")
    args.alertmanager = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    missing = [n for n, p in (("prometheus", args.prometheus), ("prometheus-alertmanager", args.alertmanager),
                              ("java", shutil.which("java"))) if not p]
    if not os.path.isfile(args.jar):
        missing.append(args.jar)
    if missing:
        print(f"alert demo: missing {missing} (./run-alert-demo.sh installs them)", file=sys.stderr)
        return 1

    work = tempfile.mkdtemp(prefix="plasticity-alert-demo-")
    procs, status = [], 1
    receiver = Receiver(args.fast)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        status = run(args, work, procs, receiver)
    except Stop as e:
        say(f"stopped: {e}")
    except KeyboardInterrupt:
        say("interrupted")
        status = 0 if not args.until_first_alert else 1
    finally:
        say("stopping " + ", ".join(p.name for p in reversed(procs)) + " and the receiver")
        for p in reversed(procs):
            p.stop()
        receiver.stop()
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    say(f"notifications received: {len(receiver.firing)} firing ({', '.join(receiver.firing) or 'none'})")
    return status


if __name__ == "__main__":
    sys.exit(main())
