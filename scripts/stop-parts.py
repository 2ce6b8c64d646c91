#!/usr/bin/env python3
"""The two parts of a stop-all that no server can skip, measured apart.

The shared harness (mode api) stops N services with one call per service,
dependents first, and waits for each answer before the next call. Each
of those calls costs at least

  roundtrip  the harness's own HTTP round trip: its client (the same Http
             class, imported from the harness) sending a stop call that the
             server refuses at once (404, no such service), so that no
             process is touched;
  killwait   SIGTERM to a process group of `sleep 3600` and the wait until
             the kernel has ended and reaped it, with no server at all
             (os.killpg, then waitpid, one group at a time).

A server that stops one service per call cannot take less than the sum of
the two per service, whatever it does in between. scripts/bench-runtime-ab.sh
runs them in the same minutes as the harness: the `killwait` target, and
roundtrip after the floor server's block (internal/cmd/benchfloor, whose
refusal is the least a server can do).

Usage:
  stop-parts.py roundtrip HARNESS SOCKET N   -> prints roundtrip_s=<seconds for N calls>
  stop-parts.py killwait N                   -> prints killwait_s=<seconds for N stops>
"""
import importlib.util
import os
import signal
import subprocess
import sys
import time


def roundtrip(harness, sock, n):
    spec = importlib.util.spec_from_file_location("harness", harness)
    h = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(h)
    http = h.Http(sock=sock)
    try:
        path = "/v1/sprites/local/services/stop-parts-absent-{}/stop?timeout=5s"
        http.request("POST", path.format("warm"))  # the connection, once
        t0 = time.perf_counter()
        for i in range(n):
            status, _ = http.request("POST", path.format(i))
            if status != 404:
                raise SystemExit(f"roundtrip: a stop of a service that does not exist answered {status}, not 404")
        return time.perf_counter() - t0
    finally:
        http.close()


def killwait(n):
    procs = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen(["sleep", "3600"], start_new_session=True,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        time.sleep(0.3)  # every sleep has exec'd and is asleep
        t0 = time.perf_counter()
        for p in reversed(procs):  # the harness's order: last created first
            os.killpg(p.pid, signal.SIGTERM)
            p.wait()
        return time.perf_counter() - t0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def main(argv):
    if len(argv) == 5 and argv[1] == "roundtrip":
        print(f"roundtrip_s={roundtrip(argv[2], argv[3], int(argv[4])):.4f}")
    elif len(argv) == 3 and argv[1] == "killwait":
        print(f"killwait_s={killwait(int(argv[2])):.4f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
