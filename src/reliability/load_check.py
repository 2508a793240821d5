#!/usr/bin/env python3
"""Load check: /metrics under sustained concurrent scraping while the sample app trains.

Runs the sample app (real MNIST, 784-128-128-10, weight decay 0.1, /metrics on 127.0.0.1, free
port) while `wrk -t2 -c8` hammers /metrics from the moment the endpoint is up until the last task
has ended (wrk is stopped with SIGINT, which makes it report).

Asserts what does not depend on how loaded the machine is: the run exits 0 and leaves one valid
tasks.jsonl line per task; /metrics listens on 127.0.0.1 only; wrk saw requests and 0 socket
errors (connect, read, write, timeout) and 0 non-2xx responses; a scrape taken under load passes
`promtool check metrics`. Prints `reliability: N passed, M failed` last; exit status 1 on any
failure.

With --bench (src/reliability/bench.sh) it also runs the app without scraping before and after,
with the same settings and seed, and prints a table of training time, scrape rate and latency, and
the slowdown of training under scraping against the quiet runs' mean. That ratio depends on what
else runs on the machine, so it is measured and reported, never asserted.

Python 3 stdlib only. src/reliability/run.sh installs wrk and fetches the data first.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

RUN_TIMEOUT_S = 240

WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d bytes=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.timeout,
    e.status, latency:percentile(50), latency:percentile(99), latency.max))
end
"""

T0 = time.monotonic()
results = []


def log(msg):
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" -- {detail}" if detail else ""), flush=True)
    return bool(ok)


def listening_addresses(port):
    """Local addresses of the listening TCP sockets on this port, from `ss` (Debian iproute2)."""
    out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout
    addrs = {line.split()[3].rsplit(":", 1)[0].strip("[]") for line in out.splitlines() if line.strip()}
    # Java listens on an IPv6 socket: 127.0.0.1 shows as the IPv4-mapped ::ffff:127.0.0.1.
    return sorted(a[len("::ffff:"):] if a.startswith("::ffff:") else a for a in addrs)


class AppRun:
    """One sample-app run; optionally wrk against its /metrics while it trains."""

    def __init__(self, args, workdir, name, scrape):
        self.args, self.workdir, self.name, self.scrape = args, workdir, name, scrape
        self.train_seconds = {}
        self.wrk = None
        self.wrk_result = None
        self.addresses = []
        self.scrape_text = None
        self.exit = None
        self.lines = []

    def run(self):
        out_dir = os.path.join(self.workdir, "runs")
        cmd = ["java"] + os.environ.get("JAVA_OPTS", "").split() + [
            "-jar", self.args.jar, "--tasks", str(self.args.tasks),
            "--examples-per-task", str(self.args.examples_per_task), "--port", "0",
            "--output", out_dir, "--run-id", self.name, "--overwrite", "--no-save-model",
            "--linger", "3" if self.scrape else "0"]
        log(f"{self.name}: {' '.join(cmd)}")
        app = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               bufsize=1, start_new_session=True)
        timer = threading.Timer(RUN_TIMEOUT_S, lambda: app.kill())
        timer.start()
        row = re.compile(r"^task-(\d+)\s.*\|\s*\S+\s+([0-9.]+)\s*$")
        try:
            for line in app.stdout:
                line = line.rstrip("\n")
                self.lines.append(line)
                m = re.search(r"Prometheus metrics: (http://\S+)", line)
                if m:
                    self.url = m.group(1)
                    port = int(self.url.rsplit(":", 1)[1].split("/")[0])
                    self.addresses = listening_addresses(port)
                    if self.scrape:
                        self.start_wrk()
                m = row.match(line)
                if m:
                    self.train_seconds[int(m.group(1))] = float(m.group(2))
                    log(f"{self.name}: task {m.group(1)} trained in {m.group(2)} s")
                if line.startswith("accuracy per task:") and self.scrape:
                    self.stop_wrk()
            self.exit = app.wait(timeout=60)
        finally:
            timer.cancel()
            if app.poll() is None:
                os.killpg(app.pid, signal.SIGKILL)
                app.wait()
            if self.wrk is not None and self.wrk.poll() is None:
                self.stop_wrk()
        log(f"{self.name}: exit {self.exit}")
        self.task_log = os.path.join(out_dir, self.name, "tasks.jsonl")
        return self

    def start_wrk(self):
        lua = os.path.join(self.workdir, "report.lua")
        with open(lua, "w") as f:
            f.write(WRK_LUA)
        cmd = ["wrk", f"-t{self.args.threads}", f"-c{self.args.connections}", "-d600s", "--timeout", "5s",
               "-s", lua, self.url]
        log(f"{self.name}: {' '.join(cmd)}")
        self.wrk_started = time.monotonic()
        self.wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop_wrk(self):
        # One scrape under load for promtool, then SIGINT: wrk stops and reports.
        try:
            with urllib.request.urlopen(self.url, timeout=10) as r:
                self.scrape_text = r.read().decode("utf-8")
        except OSError as e:
            self.scrape_text = None
            log(f"{self.name}: scrape under load failed: {e}")
        self.wrk.send_signal(signal.SIGINT)
        try:
            out, _ = self.wrk.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.wrk.kill()
            out, _ = self.wrk.communicate()
        m = re.search(r"wrk-result (.*)", out)
        if m:
            self.wrk_result = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
        else:
            log(f"{self.name}: wrk said:\n{out}")
        log(f"{self.name}: wrk {self.wrk_result}")

    def total_train(self):
        return sum(self.train_seconds.values())

    def task_lines_ok(self):
        try:
            with open(self.task_log) as f:
                lines = f.read().splitlines()
            records = [json.loads(l) for l in lines]
            return [r["index"] for r in records] == list(range(1, self.args.tasks + 1)), f"{len(lines)} lines"
        except (OSError, ValueError, KeyError) as e:
            return False, str(e)


def print_table(args, runs, scraped):
    """The benchmark: training with and without scraping, and how the scrapes fared."""
    quiet = [r.total_train() for r in runs if not r.scrape and r.train_seconds]
    quiet_mean = sum(quiet) / len(quiet) if quiet else float("nan")
    slowdown = scraped.total_train() / quiet_mean if quiet_mean > 0 else float("inf")

    examples = args.tasks * args.examples_per_task
    print()
    print(f"{'run':<9} {'train s':>8} {'examples/s':>10} {'scrapes':>8} {'scrapes/s':>9} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} {'non-2xx':>7} {'MB served':>9}")
    for r in runs:
        t = r.total_train()
        rate = examples / t if t > 0 else float("nan")
        if r.wrk_result:
            x = r.wrk_result
            secs = x["duration_us"] / 1e6
            errs = x["connect"] + x["read"] + x["write"] + x["timeout"]
            print(f"{r.name[5:]:<9} {t:8.1f} {rate:10.0f} {x['requests']:8d} {x['requests'] / secs:9.0f} "
                  f"{x['p50_us'] / 1e3:7.1f} {x['p99_us'] / 1e3:7.1f} {x['max_us'] / 1e3:7.1f} {errs:6d} "
                  f"{x['status']:7d} {x['bytes'] / 1e6:9.1f}")
        else:
            print(f"{r.name[5:]:<9} {t:8.1f} {rate:10.0f} {'-':>8} {'-':>9} {'-':>7} {'-':>7} {'-':>7} "
                  f"{'-':>6} {'-':>7} {'-':>9}")
    print(f"slowdown of training under scraping: {slowdown:.2f}x the quiet runs' mean "
          f"({scraped.total_train():.1f} s vs {quiet_mean:.1f} s; {args.tasks} tasks x "
          f"{args.examples_per_task} examples, wrk -t{args.threads} -c{args.connections})")


def on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through the finally blocks that clean up


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jar", required=True)
    p.add_argument("--tasks", type=int, default=2)
    p.add_argument("--examples-per-task", type=int, default=4000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--keep", action="store_true", help="keep the runs' directory")
    p.add_argument("--bench", action="store_true",
                   help="also run twice without scraping and report the slowdown of training (a benchmark)")
    args = p.parse_args()

    workdir = tempfile.mkdtemp(prefix="plasticity-reliability-")
    runs = []
    try:
        plan = (("quiet-1", False), ("scraped", True), ("quiet-2", False)) if args.bench else (("scraped", True),)
        for name, scrape in plan:
            runs.append(AppRun(args, workdir, f"load-{name}", scrape).run())

        for r in runs:
            ok, detail = r.task_lines_ok()
            check(f"{r.name}: exits 0 and records {args.tasks} task lines", r.exit == 0 and ok,
                  f"exit {r.exit}, {detail}" + ("" if r.exit == 0 else "; last output: " + " | ".join(r.lines[-5:])))
            check(f"{r.name}: /metrics listens on 127.0.0.1 only", r.addresses == ["127.0.0.1"],
                  f"listening on {r.addresses}")
            check(f"{r.name}: every task's training time reported", len(r.train_seconds) == args.tasks,
                  f"{sorted(r.train_seconds)}")
        scraped = next(r for r in runs if r.scrape)
        w = scraped.wrk_result or {}
        check("wrk ran and completed requests", w.get("requests", 0) > 0, f"{w.get('requests', 0)} requests")
        socket_errors = sum(w.get(k, 1) for k in ("connect", "read", "write", "timeout"))
        check("wrk: 0 socket errors (connect, read, write, timeout)", socket_errors == 0,
              f"connect {w.get('connect')}, read {w.get('read')}, write {w.get('write')}, timeout {w.get('timeout')}")
        check("wrk: 0 non-2xx responses", w.get("status", 1) == 0, f"{w.get('status')} non-2xx")
        promtool_ok, promtool_out = False, "no scrape taken"
        if scraped.scrape_text is not None and shutil.which("promtool"):
            pt = subprocess.run(["promtool", "check", "metrics"], input=scraped.scrape_text,
                                capture_output=True, text=True)
            promtool_ok, promtool_out = pt.returncode == 0, (pt.stdout + pt.stderr).strip()
        check("a scrape taken under load passes promtool check metrics", promtool_ok, promtool_out)
        if args.bench:
            print_table(args, runs, scraped)
    except (Exception, KeyboardInterrupt) as e:  # a broken or stopped step is a failure too
        check("load check ran to the end", False, repr(e))
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    passed = sum(results)
    failed = len(results) - passed
    print(f"reliability: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
