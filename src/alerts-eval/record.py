#!/usr/bin/env python3
"""Runs one sample-app run and keeps every scrape of its /metrics.

    record.py --out DIR [--interval SECONDS] -- java -jar sample-app.jar [options]

Picks a free loopback port, appends `--port PORT --bind 127.0.0.1` to the command, starts it, and
fetches http://127.0.0.1:PORT/metrics every INTERVAL seconds (default 1) until the command exits.
Each scrape goes to DIR/scrapes.prom as the exposition text the app served, preceded by one line
`# SCRAPE <unix milliseconds>`; the app's own output goes to DIR/app.log. Exits with the app's exit
status. Scrapes that fail (the server not up yet, or gone) are skipped: the file holds only what a
Prometheus scraping at that interval would have stored.
"""
import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        p.error("no command to run after --")
    os.makedirs(a.out, exist_ok=True)
    port = free_port()
    url = "http://127.0.0.1:%d/metrics" % port
    with open(os.path.join(a.out, "app.log"), "wb") as log, \
            open(os.path.join(a.out, "scrapes.prom"), "w") as scrapes:
        app = subprocess.Popen(cmd + ["--port", str(port), "--bind", "127.0.0.1"],
                               stdout=log, stderr=subprocess.STDOUT)
        n = 0
        while True:
            due = time.monotonic() + a.interval
            done = app.poll() is not None
            try:
                with urllib.request.urlopen(url, timeout=a.interval * 5) as r:
                    body = r.read().decode("utf-8")
                scrapes.write("# SCRAPE %d\n" % int(time.time() * 1000))
                scrapes.write(body if body.endswith("\n") else body + "\n")
                scrapes.flush()
                n += 1
            except OSError:
                pass
            if done:
                break
            time.sleep(max(0.0, due - time.monotonic()))
        rc = app.wait()
    print("record: %d scrapes of %s, app exited %d" % (n, url, rc), file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
