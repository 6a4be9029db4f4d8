"""A real ``machikoe serve`` process on a loopback port, for tests that need the whole stack."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.db import TEST_SECRET


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[str, str]:
    """Send ``sig`` and collect the output; a process that outlives ``timeout`` is killed before the
    test fails, so that a failing test leaves nothing running (a leftover server kept its port and
    kept a profiler of the suite waiting)."""
    process.send_signal(sig)
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"the process did not stop within {timeout:g} s of signal {signal.Signals(sig).name}")


@contextmanager
def serving(database_url: str, instance: Path, env: dict[str, str] | None = None, workers: int = 1,
            threads: int = 2):
    """Yield (base URL, process) once /healthz answers; stop it afterwards (log in ``process.log``)."""
    port = free_port()
    machikoe = Path(sys.executable).with_name("machikoe")
    full_env = {**os.environ, "SECRET_KEY": TEST_SECRET, "MACHIKOE_INSTANCE": str(instance), **(env or {})}
    process = subprocess.Popen(
        [str(machikoe), "--database-url", database_url, "serve", "--port", str(port), "--workers", str(workers),
         "--threads", str(threads)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=full_env, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310 - loopback
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("machikoe serve did not come up")
                time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.log = process.stdout.read()
        process.stdout.close()
