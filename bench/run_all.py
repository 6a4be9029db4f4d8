"""``make bench``: run every benchmark in ``bench/`` and print each one's table.

The benchmarks are ``web_load.py`` and every ``*_bench.py`` script (e.g. the statistician's
``rake_bench.py``); each runs in its own Python process, one after the other (they would
otherwise compete for the same cores), and prints its own table with the ratio to its
named peer. Extra arguments go to ``web_load.py`` (e.g. ``--seconds 5`` for a short run).
The exit status is non-zero if any benchmark failed or reported a mismatch.

At the end it prints issue 16's two headline figures side by side, from this one run: the
survey's page rate ÷ the floor's at 64 clients on PostgreSQL with its p99, and raking 1 M
respondents against ``balance`` — each the median of its rounds, with their range, beside
the aim and the load average the benchmark ran at.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SUMMARIES = {"web_load.py": "web.json", "rake_bench.py": "rake.json"}  # benchmarks that report a headline


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


def read_summary(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def headline_rows(web: dict | None, rake: dict | None) -> list[tuple[str, str, str, str]]:
    """(figure, measured — median (rounds), aim, met?) for issue 16's speed aims."""
    rows = []
    if web is None:
        rows.append(("pages ÷ floor, PostgreSQL, 64 clients", "not measured", "≥ 50 %", "—"))
    else:
        ratio, load = web["ratio"], web["load"]
        rows.append(("pages ÷ floor, PostgreSQL, 64 clients",
                     f"{ratio[0]:.1%} ({ratio[1]:.1%}–{ratio[2]:.1%}), {web['req_s']:.0f} req/s, "
                     f"load {load[0]:.1f}→{load[1]:.1f}", "≥ 50 %", _met(ratio[0] >= 0.5)))
        rows.append(("same, per server CPU second (floor's CPU/request ÷ ours)", f"{web['cpu_ratio']:.1%}",
                     "(context)", ""))
        rows.append(("p99 latency, same level", f"{web['p99_ms']:.0f} ms, {web['errors']} errors", "< 200 ms",
                     _met(web["p99_ms"] < 200 and web["errors"] == 0)))
    if rake is None or rake.get("ratio_cpu") is None:
        rows.append(("raking 1 M respondents ÷ balance", "not measured", "≥ 50×", "—"))
    else:
        cpu, wall, load = rake["ratio_cpu"], rake["ratio_wall"], rake["load"]
        rows.append(("raking 1 M respondents, balance ÷ ours, CPU time",
                     f"{cpu[0]:.1f}× ({cpu[1]:.1f}–{cpu[2]:.1f}), {rake['ours_cpu'] * 1000:.1f} ms vs "
                     f"{rake['balance_cpu']:.2f} s, load {load[0]:.1f}→{load[1]:.1f}", "≥ 50×", _met(cpu[0] >= 50)))
        rows.append(("same, wall clock", f"{wall[0]:.1f}× ({wall[1]:.1f}–{wall[2]:.1f}), largest weight difference "
                     f"{rake['difference']:.1e} of the mean", "≥ 50×", _met(wall[0] >= 50)))
    return rows


def _met(held: bool) -> str:
    return "yes" if held else "NO"


def print_headline(folder: Path) -> None:
    rows = headline_rows(read_summary(folder / SUMMARIES["web_load.py"]),
                         read_summary(folder / SUMMARIES["rake_bench.py"]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print(f"\n=== issue 16 speed aims — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          "medians of rounds (lowest–highest) ===")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main(argv: list[str]) -> int:
    failed = []
    with tempfile.TemporaryDirectory(prefix="machikoe-bench-") as tmp:
        folder = Path(tmp)
        for script in benchmarks():
            extra = argv if script.name == "web_load.py" else []
            if script.name in SUMMARIES:
                extra = [*extra, "--summary", str(folder / SUMMARIES[script.name])]
            if run(title_of(script), script, extra) != 0:
                failed.append(script.name)
        print_headline(folder)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
