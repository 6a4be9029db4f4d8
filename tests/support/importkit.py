"""Import each project module in a process of its own (``tests/test_architecture.py``).

Run as ``python tests/support/importkit.py`` with a JSON object on stdin:
``{"modules": [...], "preload": [...], "parallel": N}``; prints a JSON object
``{module: last line of its traceback}`` for the modules that failed to import.

Why fork instead of ``python -c "import X"`` per module: a fresh interpreter spends one to
three seconds of CPU importing numpy, pandas, scipy, SQLAlchemy, Flask and python-telegram-bot
before it reaches a line of ours — minutes for the whole project on two cores. This driver
imports those third-party libraries (``preload``) once, checks that no module of the project
has been imported, then forks one child per module. Each child starts with none of the
project's modules loaded — the state a fresh interpreter has — so an import cycle or a
missing import that only works in one import order fails exactly as it would on its own.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import traceback

PROJECT = ("survey_app", "analysis", "bot")


def _preload(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):  # an optional library missing fails its importer later
            importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in PROJECT)
    if loaded:  # a library imported the project: the children would not start clean
        raise SystemExit(f"preloading imported project modules: {loaded[:5]}")


def _child(module: str, write_fd: int) -> None:
    try:
        importlib.import_module(module)
        code, message = 0, ""
    except BaseException:  # noqa: BLE001 - report whatever stops the import
        code, message = 1, traceback.format_exc().strip().splitlines()[-1]
    os.write(write_fd, message.encode("utf-8", "replace")[:2000])
    os._exit(code)


def _start(module: str) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(module, write_fd)
    os.close(write_fd)
    return pid, read_fd


def _finish(pid: int, read_fd: int) -> tuple[int, str]:
    chunks = []
    while chunk := os.read(read_fd, 4096):
        chunks.append(chunk)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def import_each(modules: list[str], parallel: int) -> dict[str, str]:
    failures: dict[str, str] = {}
    running: list[tuple[str, int, int]] = []
    pending = list(modules)
    while pending or running:
        while pending and len(running) < parallel:
            module = pending.pop(0)
            running.append((module, *_start(module)))
        module, pid, read_fd = running.pop(0)
        code, message = _finish(pid, read_fd)
        if code != 0:
            failures[module] = message or f"exit status {code}"
    return failures


def main() -> None:
    job = json.load(sys.stdin)
    _preload(job["preload"])
    print(json.dumps(import_each(job["modules"], job["parallel"])))


if __name__ == "__main__":
    main()
