"""``make bench``: run every benchmark in ``bench/`` and print each one's table.

The benchmarks are ``web_load.py`` and every ``*_bench.py`` script (e.g. the statistician's
``rake_bench.py``); each runs in its own Python process, one after the other (they would
otherwise compete for the same cores), and prints its own table with the ratio to its
named peer. Extra arguments go to ``web_load.py`` (e.g. ``--seconds 5`` for a short run).
The exit status is non-zero if any benchmark failed or reported a mismatch.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def benchmarks() -> list[Path]:
    return [BENCH_DIR / "web_load.py", *sorted(BENCH_DIR.glob("*_bench.py"))]


def title_of(script: Path) -> str:
    """The first line of the script's docstring."""
    for line in script.read_text(encoding="utf-8").splitlines():
        stripped = line.strip().strip('"').strip()
        if stripped and not stripped.startswith("#"):
            return stripped.replace("``", "").rstrip(".")
    return script.name


def run(title: str, script: Path, extra: list[str]) -> int:
    print(f"\n=== {title} — {script.name} ===", flush=True)
    started = time.monotonic()
    status = subprocess.call([sys.executable, str(script), *extra], cwd=BENCH_DIR.parent)
    print(f"=== {script.name}: exit {status}, {time.monotonic() - started:.0f} s ===", flush=True)
    return status


def main(argv: list[str]) -> int:
    failed = []
    for script in benchmarks():
        extra = argv if script.name == "web_load.py" else []
        if run(title_of(script), script, extra) != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
