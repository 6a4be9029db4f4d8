"""The suite's own process kit: a test that fails while a process is running leaves nothing behind."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.support.servekit import stop

DEAF = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)")


def test_a_process_deaf_to_the_signal_is_killed_before_the_test_fails():
    process = subprocess.Popen([sys.executable, "-c", DEAF], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"  # its handler is set
    with pytest.raises(pytest.fail.Exception, match="did not stop within 1 s of signal SIGTERM"):
        stop(process, signal.SIGTERM, timeout=1)
    assert process.returncode == -signal.SIGKILL


def test_a_process_that_stops_gives_its_output():
    process = subprocess.Popen([sys.executable, "-c", "import time; print('hello', flush=True); time.sleep(60)"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "hello"
    out, _err = stop(process, signal.SIGTERM, timeout=10)
    assert process.returncode == -signal.SIGTERM and out == ""
