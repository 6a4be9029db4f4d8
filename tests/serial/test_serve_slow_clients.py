"""Slow clients cannot starve the server (issue 14): 20 clients trickling a POST body one byte
every half second to a real ``machikoe serve`` (1 worker × 2 threads, loopback) do not delay
``/healthz`` beyond 1 s. Under gunicorn's gthread worker each of them held a thread."""
from __future__ import annotations

import socket
import threading
import time
import urllib.request

from tests.support.db import clean, migrated_engine
from tests.support.servekit import serving

# serial (tests/serial/): bounds /healthz at 1 s, a time that another test's load would stretch

TRICKLERS = 20
BODY = 60  # bytes each trickler promises; it sends 1 every 0.5 s, so it is never done during the test


def _trickle(port: int, stop: threading.Event, started: threading.Barrier) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /s/ebetsu-2025/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: " + str(BODY).encode() + b"\r\n\r\n")
        started.wait()
        while not stop.wait(0.5):
            try:
                sock.sendall(b"a")
            except OSError:
                return


def test_twenty_slow_bodies_do_not_delay_healthz(sqlite_url, tmp_path):
    migrated_engine(sqlite_url)
    try:
        with serving(sqlite_url, tmp_path, threads=2) as (base, _process):
            port = int(base.rsplit(":", 1)[1])
            stop, started = threading.Event(), threading.Barrier(TRICKLERS + 1)
            threads = [threading.Thread(target=_trickle, args=(port, stop, started)) for _ in range(TRICKLERS)]
            for thread in threads:
                thread.start()
            started.wait(timeout=20)
            time.sleep(0.8)  # every trickler has sent its headers and at least one body byte
            try:
                slowest = 0.0
                for _ in range(5):
                    begin = time.monotonic()
                    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
                        assert response.status == 200
                    slowest = max(slowest, time.monotonic() - begin)
                    time.sleep(0.3)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(10)
            assert slowest < 1.0, f"/healthz took {slowest:.2f} s behind {TRICKLERS} slow clients"
    finally:
        clean(migrated_engine(sqlite_url))
