"""Helpers for the fault tests: a real ``machikoe serve`` subprocess and residents using it.

The server binds 127.0.0.1 on a free port; the process group is ended when the test ends.
Residents are threads with their own ``httpx.Client`` (their own cookies), answering
the survey page by page like a browser (CSRF tokens, redirects).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import httpkit
from tests.support.web import csrf


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def machikoe_serve(database_url: str, instance: Path, secret: str, workers: int = 2, threads: int = 4):
    """``machikoe serve`` as a subprocess; yields (base URL, master pid)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret, "MACHIKOE_INSTANCE": str(instance)}
    env.pop("REDIS_URL", None)
    script = Path(sys.executable).parent / "machikoe"
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from survey_app.cli import main; main()"]
    cmd += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    instance.mkdir(parents=True, exist_ok=True)
    log_path = instance / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", proc, log_path)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until_serving(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"machikoe serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpkit.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"machikoe serve did not answer within {timeout} s")


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []



def complete_survey(client: httpx.Client, survey_id: str, pages: list[tuple[str, dict]], revealed: dict,
                    on_submitted=lambda: None) -> None:
    """Landing → start → every page (again with ``revealed`` when asked to) → review → submit
    → thank-you page. Raises on anything a browser would show as a failure. ``on_submitted``
    runs as soon as the submit was answered with the redirect to the thank-you page: from
    then on the resident has been told their answers are in.
    """
    base = f"/s/{survey_id}"
    landing = client.get(f"{base}/")
    landing.raise_for_status()
    started = client.post(f"{base}/start", data={"csrf_token": csrf(landing.text), "code": "", "nav": "next"})
    _expect_redirect(started)
    for section_id, answers in pages:
        for extra in ({}, revealed):
            page = client.get(f"{base}/q/{section_id}")
            page.raise_for_status()
            posted = client.post(f"{base}/q/{section_id}",
                                 data={"csrf_token": csrf(page.text), "nav": "next", **answers, **extra})
            _expect_redirect(posted)
            if "more=1" not in posted.headers["location"]:
                break
    review = client.get(f"{base}/review")
    review.raise_for_status()
    submitted = client.post(f"{base}/review", data={"csrf_token": csrf(review.text), "nav": "submit"})
    _expect_redirect(submitted)
    assert submitted.headers["location"].endswith(f"{base}/thanks"), submitted.headers["location"]
    on_submitted()
    client.get(f"{base}/thanks").raise_for_status()


def _expect_redirect(response: httpx.Response) -> None:
    if response.status_code != 302:
        raise httpx.HTTPStatusError(f"expected a redirect, got {response.status_code}",
                                    request=response.request, response=response)
