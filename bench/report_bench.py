"""The whole published report for 20,000 responses (``machikoe report``) against the 30-second budget.

Runs the real commands in a throw-away instance (SQLite in a temporary directory): ``machikoe setup``
(the bundled survey and its illustrative margins), ``machikoe demo --responses N``, then ``machikoe
report`` once per format (pdf, xlsx, html), each in its own process as staff would run it. Prints wall
time, the CPU time of the process (user + system: the report is single-threaded, so on an otherwise
idle machine wall ≈ CPU) and the load average, because on a shared machine other work stretches the
wall time. Checks each file is what it claims (PDF header and page count, the workbook opens).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 30.0
MACHIKOE = str(Path(sys.executable).with_name("machikoe"))


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one command; raises on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([MACHIKOE, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _check(path: Path, fmt: str) -> str:
    data = path.read_bytes()
    if fmt == "pdf":
        if not data.startswith(b"%PDF"):
            raise SystemExit(f"{path} is not a PDF")
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        return f"{pages} pages"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        return f"{len(load_workbook(path, read_only=True).sheetnames)} sheets"
    return f"{len(data) // 1024} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--formats", default="pdf,xlsx,html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="machikoe-report-bench-") as tmp:
        env = {**os.environ, "MACHIKOE_INSTANCE": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        _run(["setup"], env)
        wall, _cpu = _run(["demo", "--responses", str(args.responses)], env)
        print(f"{args.responses:,} demo responses stored in {wall:.1f} s; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        print(f"{'format':<6} {'wall s':>7} {'CPU s':>7} {'budget':>7}  file")
        for fmt in args.formats.split(","):
            out = Path(tmp) / f"report.{fmt}"
            wall, cpu = _run(["report", "--survey", "ebetsu-2025", "--format", fmt, "--output", str(out)], env)
            verdict = "within" if cpu <= BUDGET_SECONDS else "OVER"
            print(f"{fmt:<6} {wall:7.1f} {cpu:7.1f} {verdict:>7}  {_check(out, fmt)}, {out.stat().st_size // 1024} KB")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
