"""Load benchmark: complete surveys through ``machikoe serve`` against the framework floor.

For each database (SQLite file, throw-away PostgreSQL database on 127.0.0.1:5432):
1. start ``machikoe serve`` (gunicorn); N simulated residents (16, 64, 256) each answer
   complete surveys in a loop for a bounded time — landing page, Start, every page
   (GET, then POST with the CSRF token and valid random answers, including the extra
   round trip when an answer reveals a follow-up question), review, submit, thank-you;
2. check the database: complete responses == surveys the clients saw completed, and no
   complete response lacks a required answer;
3. start the floor (``bench/floor_app.py``: a bare Flask endpoint doing one INSERT under
   the very same gunicorn settings and engine) and drive it with the same client counts;
4. print one table: surveys/s, page requests/s, p50/p95/p99 latency, errors, the CPU the
   client itself used, the server's CPU and how evenly its workers shared it (``skew``: the
   busiest worker ÷ the mean, in the worst round), and our page rate ÷ the floor's request rate.

Each level runs in ``--rounds`` short rounds, survey and floor alternating, and the ratio
printed is the median of the rounds' ratios with their range beside it: on a shared
machine one round of either side can be 15 % off, and a single pair of runs would make
that noise look like a result.

Client and server share the machine (loopback only). Aim (issue 16): on 2 cores with
PostgreSQL at 64 clients, ≥ 50 % of the floor, p99 < 200 ms, zero errors.

Usage: ``python bench/web_load.py [--seconds 15] [--rounds 3] [--clients 16,64,256] [--db sqlite,postgresql]
[--summary FILE]`` (``--summary`` writes the PostgreSQL 64-client figures as JSON for ``run_all.py``).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadclient import HttpFailure, Resident, Stats, SurveyPlan
from servers import (
    Unavailable,
    count_rows,
    cpu_by_process,
    incomplete_submissions,
    postgres_database,
    prepare,
    server,
    sqlite_database,
)

from survey_app.instrument import bundled_path, load_instrument

DATABASES = {"sqlite": sqlite_database, "postgresql": postgres_database}


@dataclass
class Row:
    database: str
    target: str
    clients: int
    seconds: float
    stats: Stats
    client_cpu: float  # share of one core used by this benchmark's own process
    server_cpu: float  # share of one core used by gunicorn (master + workers)
    worker_skew: float = 1.0  # the busiest worker's CPU ÷ the workers' mean (1.00: an even split)
    round_ratios: list[float] = field(default_factory=list)  # survey rows: req/s ÷ floor, per round

    def rate(self, count: int) -> float:
        return count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        values = sorted(self.stats.latencies)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000


async def _drive(port: int, clients: int, seconds: float, target: str, plan: SurveyPlan, base: str) -> tuple[Stats, float]:
    """Every resident starts surveys until ``seconds`` have passed and finishes the one in hand
    (so every survey started is submitted: the database check can be exact). Rates divide
    by the whole elapsed time, this tail included."""
    stats = Stats()
    stop_at = time.monotonic() + seconds

    async def resident(index: int) -> None:
        person = Resident("127.0.0.1", port, stats, lang=("ja", "en", "vi", "ur")[index % 4])
        while time.monotonic() < stop_at:
            try:
                if target == "survey":
                    await person.complete_survey(base, plan)
                else:
                    await person.call("POST", "/floor", [("v", f"resident {index}")])
                    stats.completed += 1
            except HttpFailure as exc:
                stats.errors[str(exc)] += 1
                person.conn.close()
        person.conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(resident(i) for i in range(clients)))
    return stats, time.perf_counter() - started


def run_level(database: str, target: str, port: int, pid: int, clients: int, seconds: float,
              plan: SurveyPlan, base: str) -> Row:
    own_before = _own_cpu()
    server_before = cpu_by_process(pid)
    stats, elapsed = asyncio.run(_drive(port, clients, seconds, target, plan, base))
    server_after = cpu_by_process(pid)
    return Row(database, target, clients, elapsed, stats, client_cpu=(_own_cpu() - own_before) / elapsed,
               server_cpu=(sum(server_after.values()) - sum(server_before.values())) / elapsed,
               worker_skew=_skew(server_before, server_after, master=pid))


def _skew(before: dict[int, float], after: dict[int, float], master: int) -> float:
    """The busiest worker's CPU ÷ the workers' mean over one round: 1.00 when the requests were
    spread evenly; with 2 workers, 1.5 means one did three quarters of the work (its clients'
    requests queued on one core while the other idled — what balance.py prevents)."""
    used = [after[p] - before[p] for p in after if p != master and p in before]
    mean = sum(used) / len(used) if used else 0.0
    return max(used) / mean if mean > 0 else 1.0


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_database(database: str, args, plan: SurveyPlan, base: str) -> tuple[list[Row], list[str]]:
    """Both servers run side by side and alternate round by round (survey 16, floor 16, survey
    16, …), so that whatever else the machine is doing weighs on both sides of each ratio alike."""
    rows, done = [], {"survey": 0, "floor": 0}
    seconds = max(4.0, args.seconds / args.rounds)
    with DATABASES[database]() as url:
        prepare(url)
        with server("survey", url, args.workers, args.threads) as survey, \
                server("floor", url, args.workers, args.threads) as floor:
            servers = {"survey": survey, "floor": floor}
            for target, (port, pid) in servers.items():
                done[target] += run_level(database, target, port, pid, min(args.clients), args.warmup,
                                          plan, base).stats.completed
            for clients in args.clients:
                rounds: dict[str, list[Row]] = {"survey": [], "floor": []}
                for _ in range(args.rounds):
                    for target, (port, pid) in servers.items():
                        row = run_level(database, target, port, pid, clients, seconds, plan, base)
                        rounds[target].append(row)
                        done[target] += row.stats.completed
                ratios = [s.rate(s.stats.requests) / f.rate(f.stats.requests)
                          for s, f in zip(rounds["survey"], rounds["floor"], strict=True) if f.stats.requests]
                for target, parts in rounds.items():
                    merged = _merged(parts, ratios if target == "survey" else [])
                    rows.append(merged)
                    print(f"  {database:<10} {target:<6} {clients:>4} clients: {merged.rate(merged.stats.requests):7.1f} "
                          f"req/s, {sum(merged.stats.errors.values())} errors", flush=True)
        checks = [_verify(database, target, url, count) for target, count in done.items()]
    order = {"survey": 0, "floor": 1}
    return sorted(rows, key=lambda r: (order[r.target], r.clients)), checks


def _merged(parts: list[Row], ratios: list[float]) -> Row:
    """The rounds of one level as one row: counts and latencies pooled, CPU time-weighted."""
    seconds = sum(p.seconds for p in parts)
    stats = Stats()
    for p in parts:
        stats.latencies += p.stats.latencies
        stats.errors += p.stats.errors
        stats.completed += p.stats.completed
    first = parts[0]
    return Row(first.database, first.target, first.clients, seconds, stats,
               client_cpu=sum(p.client_cpu * p.seconds for p in parts) / seconds,
               server_cpu=sum(p.server_cpu * p.seconds for p in parts) / seconds, round_ratios=ratios,
               worker_skew=max(p.worker_skew for p in parts))


def _verify(database: str, target: str, url: str, done: int) -> str:
    if target == "survey":
        stored = count_rows(url, "responses", "WHERE status = 'complete'")
        broken = incomplete_submissions(url)
        ok = stored == done and broken == 0
        return (f"{database}: {done} surveys completed by clients, {stored} complete responses in the database, "
                f"{broken} lacking a required answer — {'OK' if ok else 'MISMATCH'}")
    stored = count_rows(url, "bench_floor")
    return f"{database}: floor inserts acknowledged {done}, rows stored {stored} — {'OK' if stored == done else 'MISMATCH'}"


def print_table(rows: list[Row], checks: list[str], args) -> None:
    header = (f"{'database':<10} {'server':<7} {'clients':>7} {'surveys/s':>9} {'req/s':>8} {'p50 ms':>7} "
              f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'client CPU':>10} {'server CPU':>10} {'skew':>5} {'÷ floor':>8} "
              f"{'rounds':>13}")
    print()
    print(f"Machikoe web load — {os.cpu_count()} cores, {platform.python_version()}, gunicorn buffering worker "
          f"{args.workers} workers × {args.threads} threads, {args.seconds:g} s per level in {args.rounds} "
          "alternating rounds, loopback")
    print("req/s counts every page request (GET and POST); the floor is one INSERT per request;")
    print("÷ floor is the median of the rounds' ratios, their lowest and highest beside it;")
    print("CPU is in cores (1.00 = one core busy); client and server share the machine;")
    print("skew is the busiest worker's CPU ÷ the workers' mean in the worst round (1.00: an even split).")
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = spread = ""
        if r.round_ratios:
            ratio = f"{median(r.round_ratios):.1%}"
            spread = f"{min(r.round_ratios):.1%}–{max(r.round_ratios):.1%}"
        surveys = f"{r.rate(r.stats.completed):9.2f}" if r.target == "survey" else f"{'':>9}"
        print(f"{r.database:<10} {r.target:<7} {r.clients:>7} {surveys} {r.rate(r.stats.requests):8.1f} "
              f"{r.percentile(50):7.1f} {r.percentile(95):7.1f} {r.percentile(99):7.1f} "
              f"{sum(r.stats.errors.values()):>6} {r.client_cpu:10.2f} {r.server_cpu:10.2f} {r.worker_skew:5.2f} {ratio:>8} "
              f"{spread:>13}")
    for r in rows:
        for message, count in r.stats.errors.most_common(5):
            print(f"  errors ({r.database} {r.target} {r.clients}): {count} × {message}")
    print()
    for line in checks:
        print("check —", line)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 15)))
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating survey/floor rounds per level")
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[16, 64, 256])
    parser.add_argument("--db", type=lambda s: s.split(","), default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (machikoe serve's default)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (machikoe serve's default)")
    parser.add_argument("--summary", type=Path, help="write the headline level's figures here (JSON)")
    return parser.parse_args(argv)


HEADLINE = ("postgresql", 64)  # the level issue 16's aim is stated for


def headline(rows: list[Row], load: list[float]) -> dict | None:
    """The survey's figures at the headline level, or None when it was not run.

    ``cpu_ratio`` is the floor's server CPU per request ÷ the survey's: what the page-rate
    ratio would be if both servers got the same share of the cores. On a machine shared with
    other work it moves far less than the rates do.
    """
    level = {r.target: r for r in rows if (r.database, r.clients) == HEADLINE}
    survey, floor = level.get("survey"), level.get("floor")
    if survey is None or floor is None or not survey.round_ratios:
        return None
    ratios = survey.round_ratios
    return {"database": survey.database, "clients": survey.clients, "req_s": survey.rate(survey.stats.requests),
            "ratio": [median(ratios), min(ratios), max(ratios)], "p99_ms": survey.percentile(99),
            "errors": sum(survey.stats.errors.values()), "load": load,
            "cpu_ratio": _cpu_per_request(floor) / _cpu_per_request(survey)}


def _cpu_per_request(row: Row) -> float:
    return row.server_cpu / max(row.rate(row.stats.requests), 1e-9)


def main(argv=None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()
    instrument = load_instrument(bundled_path())
    plan, base = SurveyPlan(instrument), f"/s/{instrument.id}"
    rows, checks = [], []
    for database in args.db:
        try:
            more_rows, more_checks = bench_database(database, args, plan, base)
        except Unavailable as exc:
            checks.append(f"{database}: skipped — {exc}")
            continue
        rows += more_rows
        checks += more_checks
    print_table(rows, checks, args)
    load = [load_before[0], os.getloadavg()[0]]
    print(f"load average (1 min) before the run {load[0]:.2f}, after {load[1]:.2f} "
          f"on {os.cpu_count()} cores: anything else running on the machine slows both servers")
    if args.summary:
        args.summary.write_text(json.dumps(headline(rows, load)), encoding="utf-8")
    return 1 if any("MISMATCH" in c for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
