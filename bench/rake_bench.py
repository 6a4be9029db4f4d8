"""Raking benchmark: Machikoe's ``analysis.weighting.rake`` against Meta's ``balance`` rake.

Synthetic respondents (100k and 1M) with age (6) × sex (2) × district (8) and unequal
design weights are raked to population margins that differ from the sample. Both
implementations get the same data (saved to an ``.npz`` in a temporary directory) and
run in their own subprocess, which calls it once untimed (a warm-up), then times the call itself
five times — wall clock and the process's CPU time — and keeps the median. The comparison is repeated in ``--rounds``
rounds (ours, balance, ours, balance, …) and the ratio printed is the median of the
rounds' ratios, their lowest and highest beside it: on a shared machine the wall clock
of one call can be stretched by anything else running, while the CPU time of these
single-threaded calls barely moves. The first round also measures memory: ``peak`` is the
subprocess's peak resident set (ru_maxrss, interpreter and libraries included) and
``call`` the peak of allocations during the call (tracemalloc, in a further, untimed call).

``balance`` pins scikit-learn < 1.4 on Python 3.11, so it cannot live in the project's
virtualenv: it runs from ``.venv-bench`` (created on first use:
``python3 -m venv .venv-bench && .venv-bench/bin/pip install balance numpy pandas``).

Matched tolerance: ours stops at a maximum *relative* margin error ≤ 1e-10, which implies
an absolute error in proportions ≤ 1e-10; balance is given ``convergence_rate=1e-10``
(maximum absolute difference in proportions) and ``rate_tolerance=0`` so that it does
not stop early on a slow sweep. The largest weight difference is reported relative to
the mean weight.

Usage: ``.venv/bin/python bench/rake_bench.py [--sizes 100000 1000000] [--rounds 3] [--no-balance]
[--summary FILE]`` (``--summary`` writes the largest size's figures as JSON for ``run_all.py``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"
LEVELS = {"age": 6, "sex": 2, "district": 8}
TOLERANCE = 1e-10
REPEATS = 5


def synthetic(n: int, seed: int = 2025) -> dict[str, np.ndarray]:
    """Respondents skewed towards older ages and some districts; population margins that differ."""
    rng = np.random.default_rng(seed)
    sample_p = {"age": [0.08, 0.10, 0.14, 0.17, 0.23, 0.28], "sex": [0.45, 0.55],
                "district": [0.20, 0.16, 0.14, 0.12, 0.12, 0.10, 0.09, 0.07]}
    population_p = {"age": [0.15, 0.12, 0.15, 0.16, 0.15, 0.27], "sex": [0.48, 0.52],
                    "district": [0.125] * 8}
    data = {dim: rng.choice(np.arange(1, k + 1), size=n, p=sample_p[dim]) for dim, k in LEVELS.items()}
    data["weights"] = rng.uniform(0.5, 2.0, n)
    total = 1_000_000.0
    for dim in LEVELS:
        data[f"target_{dim}"] = np.asarray(population_p[dim]) * total
    return data


# ---------------------------------------------------------------- workers (run in subprocesses)

def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call, repeats: int = REPEATS):
    """(result, median wall seconds, median CPU seconds) of ``repeats`` calls after one untimed
    warm-up call (as pyperf and timeit's users do: the first call in a process pays for lazy
    imports and first-touch memory, 2–3× a later call for ours): one rule for both sides."""
    call()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return result, median(walls), median(cpus)


def call_peak_mb(call) -> float:
    import tracemalloc

    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def run_ours(path: str, out: str, memory: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from analysis.weighting import WeightingInput, margin, rake

    data = np.load(path)
    frame = pd.DataFrame({dim: data[dim] for dim in LEVELS})
    margins = tuple(margin(dim, dict(zip(range(1, k + 1), data[f"target_{dim}"], strict=True)))
                    for dim, k in LEVELS.items())
    sample = WeightingInput(frame, data["weights"], margins)
    result, seconds, cpu = timed(lambda: rake(sample, tolerance=TOLERANCE))
    np.save(out, result.weights)
    call_peak = call_peak_mb(lambda: rake(sample, tolerance=TOLERANCE)) if memory else None
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": peak_rss_mb(), "call_peak_mb": call_peak,
            "sweeps": result.sweeps, "max_relative_error": result.max_error}


def run_balance(path: str, out: str, memory: bool) -> dict:
    import logging

    import pandas as pd

    logging.disable(logging.WARNING)
    from balance.weighting_methods.rake import rake

    data = np.load(path)
    sample = pd.DataFrame({dim: data[dim].astype(str) for dim in LEVELS})
    weights = pd.Series(data["weights"])
    grid = pd.MultiIndex.from_product([np.arange(1, k + 1) for k in LEVELS.values()], names=list(LEVELS))
    cells = grid.to_frame(index=False)
    shares = [data[f"target_{d}"][cells[d].to_numpy() - 1] / data[f"target_{d}"].sum() for d in LEVELS]
    target_weights = pd.Series(np.prod(shares, axis=0) * data["target_age"].sum())
    target = cells.astype(str)

    def call():
        return rake(sample, weights, target, target_weights, variables=list(LEVELS), transformations=None,
                    max_iteration=10_000, convergence_rate=TOLERANCE, rate_tolerance=0.0)

    result, seconds, cpu = timed(call)
    np.save(out, result["weight"].to_numpy(dtype=float))
    call_peak = call_peak_mb(call) if memory else None
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": peak_rss_mb(), "call_peak_mb": call_peak}


# ---------------------------------------------------------------- driver

def ensure_bench_venv() -> Path | None:
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print("creating .venv-bench for balance (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "balance", "numpy", "pandas"], check=True)
    probe = subprocess.run([str(python), "-c", "import balance"], capture_output=True)
    return python if probe.returncode == 0 else None


def worker(python: Path | str, which: str, data: Path, out: Path, memory: bool) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([str(python), __file__, "--worker", which, str(data), str(out), str(int(memory))],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{which} worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest |difference| of the weights, relative to our mean weight (both scaled to our total)."""
    theirs = theirs * ours.sum() / theirs.sum()
    return float(np.max(np.abs(ours - theirs)) / ours.mean())


@dataclass
class Comparison:
    """One size's rounds: each side's per-round medians, and the ratios of every round."""

    n: int
    ours: list[dict]
    theirs: list[dict]
    difference: float | None = None

    def ratios(self, key: str) -> list[float]:
        return [t[key] / o[key] for o, t in zip(self.ours, self.theirs, strict=True)]

    def summary(self) -> dict:
        return {"n": self.n, "ours_cpu": median(o["cpu"] for o in self.ours),
                "ours_wall": median(o["seconds"] for o in self.ours),
                "balance_cpu": median(t["cpu"] for t in self.theirs) if self.theirs else None,
                "balance_wall": median(t["seconds"] for t in self.theirs) if self.theirs else None,
                "ratio_cpu": _spread(self.ratios("cpu")) if self.theirs else None,
                "ratio_wall": _spread(self.ratios("seconds")) if self.theirs else None,
                "difference": self.difference}


def _spread(values: list[float]) -> list[float]:
    """[median, lowest, highest]."""
    return [median(values), min(values), max(values)]


def bench(n: int, balance_python: Path | None, tmp: Path, rounds: int) -> Comparison:
    data_path = tmp / f"sample_{n}.npz"
    np.savez(data_path, **synthetic(n))
    result = Comparison(n, [], [])
    for number in range(rounds):
        result.ours.append(worker(sys.executable, "ours", data_path, tmp / f"ours_{n}.npy", number == 0))
        if balance_python is not None:
            result.theirs.append(worker(balance_python, "balance", data_path, tmp / f"balance_{n}.npy", number == 0))
    if balance_python is not None:
        result.difference = compare(np.load(tmp / f"ours_{n}.npy"), np.load(tmp / f"balance_{n}.npy"))
    report(result)
    return result


def report(result: Comparison) -> None:
    first, summary = result.ours[0], result.summary()
    print(f"\nn = {result.n:,} respondents, margins age(6) + sex(2) + district(8), "
          f"{len(result.ours)} rounds × {REPEATS} calls (medians)")
    print(f"  machikoe rake : {summary['ours_wall']:8.4f} s wall {summary['ours_cpu']:8.4f} s CPU   "
          f"peak RSS {first['peak_rss_mb']:7.1f} MB   call peak {first['call_peak_mb']:7.1f} MB   "
          f"sweeps {first['sweeps']}   max rel. margin error {first['max_relative_error']:.1e}")
    if not result.theirs:
        print("  balance       : not available (.venv-bench could not be set up)")
        return
    theirs = result.theirs[0]
    print(f"  balance rake  : {summary['balance_wall']:8.4f} s wall {summary['balance_cpu']:8.4f} s CPU   "
          f"peak RSS {theirs['peak_rss_mb']:7.1f} MB   call peak {theirs['call_peak_mb']:7.1f} MB")
    cpu, wall = summary["ratio_cpu"], summary["ratio_wall"]
    print(f"  ratio         : machikoe is {cpu[0]:.1f}x faster than balance in CPU time (rounds {cpu[1]:.1f}–"
          f"{cpu[2]:.1f}), {wall[0]:.1f}x in wall time (rounds {wall[1]:.1f}–{wall[2]:.1f}); "
          f"largest weight difference {result.difference:.2e} of the mean weight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3, help="alternating ours/balance rounds per size")
    parser.add_argument("--no-balance", action="store_true", help="only time Machikoe's rake")
    parser.add_argument("--summary", type=Path, help="write the largest size's figures here (JSON)")
    parser.add_argument("--worker", nargs=4, metavar=("WHICH", "DATA", "OUT", "MEMORY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        which, data, out, memory = args.worker
        print(json.dumps((run_ours if which == "ours" else run_balance)(data, out, memory == "1")))
        return
    balance_python = None if args.no_balance else ensure_bench_venv()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="rake-bench-") as tmp:
        results = [bench(n, balance_python, Path(tmp), args.rounds) for n in args.sizes]
    load = [load_before, os.getloadavg()[0]]
    print(f"\nload average (1 min) before {load[0]:.2f}, after {load[1]:.2f} on {os.cpu_count()} cores")
    if args.summary:
        largest = max(results, key=lambda r: r.n)
        args.summary.write_text(json.dumps({**largest.summary(), "load": load}), encoding="utf-8")


if __name__ == "__main__":
    main()
