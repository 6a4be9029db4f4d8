"""Import each project module in a process of its own (``tests/test_architecture.py``).

Run as ``python tests/support/importkit.py`` with a JSON object on stdin:
``{"modules": [...], "preload": [...], "parallel": N, "sources": [...]}`` (``sources``:
the modules' files, optional); prints a JSON object ``{module: last line of its traceback}``
for the modules that failed to import.

Why fork instead of ``python -c "import X"`` per module: a fresh interpreter spends one to
three seconds of CPU importing numpy, pandas, scipy, SQLAlchemy, Flask and python-telegram-bot
before it reaches a line of ours — minutes for the whole project on two cores. This driver
imports those third-party libraries (``preload``) once, checks that no module of the project
has been imported, then forks.

Why a tree of forks: ``import a.b.c`` in a fresh interpreter first imports ``a`` and then
``a.b`` — completely, whatever their ``__init__`` pulls in — and only then runs ``a.b.c``.
So the process that tests ``a.b.c`` is forked from the one that has just imported ``a.b``
from that same state: it starts exactly where a fresh interpreter would be when ``a.b.c``'s
own code begins, without every module of ``survey_app.web`` importing the whole web package
again (that repetition was most of this test's time). Modules whose package is not in the
list start from the driver, with no module of the project loaded. A module that fails fails
the same way for every module under it (a fresh import of those runs it first), so they are
reported with its message. An import cycle or a missing import that only works in one
import order fails exactly as it would on its own.

Bytecode: ``sources`` are compiled once into a temporary ``sys.pycache_prefix`` before the
first fork, so the children do not each compile the same files again (they would whenever
bytecode is not written, e.g. ``PYTHONDONTWRITEBYTECODE=1``). ``parallel`` bounds the
processes importing at once (a pipe holding that many tokens), whatever their depth.
"""
from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import json
import os
import py_compile
import sys
import tempfile
import traceback

PROJECT = ("survey_app", "analysis", "bot")


def _preload(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):  # an optional library missing fails its importer later
            importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in PROJECT)
    if loaded:  # a library imported the project: the children would not start clean
        raise SystemExit(f"preloading imported project modules: {loaded[:5]}")


def _compile(sources: list[str], prefix: str) -> None:
    sys.pycache_prefix = prefix  # the children inherit it; the source tree is not written to
    for source in sources:
        with contextlib.suppress(py_compile.PyCompileError, OSError):  # the child reports a syntax error
            py_compile.compile(source, cfile=importlib.util.cache_from_source(source), doraise=True)


def _children(modules: list[str]) -> dict[str, list[str]]:
    """Each module's tree parent: its nearest enclosing package in the list ("" = the driver)."""
    listed = set(modules)
    tree: dict[str, list[str]] = {}
    for module in modules:
        parent = module.rpartition(".")[0]
        while parent and parent not in listed:
            parent = parent.rpartition(".")[0]
        tree.setdefault(parent, []).append(module)
    return tree


def _subtree(tree: dict[str, list[str]], module: str) -> list[str]:
    found = [module]
    for child in tree.get(module, []):
        found += _subtree(tree, child)
    return found


def _node(module: str, tree: dict[str, list[str]], tokens: tuple[int, int], write_fd: int) -> None:
    """In a forked child holding a token: import ``module``, give the token back, then test the
    modules under it in forks of this state; write their failures and exit."""
    try:
        importlib.import_module(module)
    except BaseException:  # noqa: BLE001 - report whatever stops the import
        message = traceback.format_exc().strip().splitlines()[-1][:2000]
        os.write(tokens[1], b"t")
        failures = dict.fromkeys(_subtree(tree, module), message)
    else:
        failures = _run(tree.get(module, []), tree, tokens)
    data = json.dumps(failures).encode("utf-8", "replace")
    while data:
        data = data[os.write(write_fd, data):]
    os._exit(0)


def _run(modules: list[str], tree: dict[str, list[str]], tokens: tuple[int, int],
         release: bool = True) -> dict[str, str]:
    """Fork one child per module (each after taking a token); their failures."""
    # The objects already here are shared with the children page by page until written to; the
    # cyclic collector writes to every object it visits, so frozen they stay shared (fewer
    # copied pages: this test's system time).
    gc.freeze()
    if release:
        os.write(tokens[1], b"t")  # this process's own import is done
    running = []
    for module in modules:
        os.read(tokens[0], 1)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # never return into the parent's loop, whatever happens
            try:
                os.close(read_fd)
                _node(module, tree, tokens, write_fd)
            finally:
                os._exit(1)
        os.close(write_fd)
        running.append((module, pid, read_fd))
    failures: dict[str, str] = {}
    for module, pid, read_fd in running:
        chunks = []
        while chunk := os.read(read_fd, 65536):
            chunks.append(chunk)
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
        try:
            failures.update(json.loads(b"".join(chunks)))
        except ValueError:  # the child died before reporting (a crash in a C extension, a signal)
            code = os.waitstatus_to_exitcode(status)
            failures.update(dict.fromkeys(_subtree(tree, module), f"exit status {code}"))
    return failures


def import_each(modules: list[str], parallel: int) -> dict[str, str]:
    tokens = os.pipe()
    os.write(tokens[1], b"t" * parallel)
    tree = _children(modules)
    return _run(tree.get("", []), tree, tokens, release=False)


def main() -> None:
    gc.disable()  # short-lived processes that only import: no garbage worth a collection's writes
    job = json.load(sys.stdin)
    _preload(job["preload"])
    with tempfile.TemporaryDirectory(prefix="importkit-pyc-") as prefix:
        _compile(job.get("sources", []), prefix)
        print(json.dumps(import_each(job["modules"], job["parallel"])))


if __name__ == "__main__":
    main()
