"""``make bench``: run the benchmarks, keep their figures in bench/results.json and print them.

    python -m bench.run                      # every benchmark
    python -m bench.run herd_import          # one benchmark (or name one of its figures)
    python -m bench.run --repeat 3 --profile herd_import

Each benchmark is a function returning its figures ({name: value}, or {name: {"value": v, ...}}
to keep details beside the value). To add one, write the function in a module of this package
and add an entry to BENCHMARKS: the module is imported only when the benchmark runs. A benchmark
that uses the application's database says ``django=True`` and on which data:

- ``data="empty"``: BENCH_DATABASE_URL (else DATABASE_URL, else the database ``livestock_bench``
  on postgres://postgres@127.0.0.1:5432), made afresh and migrated at every run (DATABASE_URL is
  migrated, never dropped);
- ``data="year"``: a copy of the year at the real scale (bench/year.py) in ``<that name>_year_copy``,
  made from its template (made first if it is missing or stale). BENCH_YEAR_SCALE (default 1)
  takes a smaller year for a quick look; figures measured on it are not the goals' figures.

Each figure keeps every run's value, the median as its value and the worst run beside it.
Figures are merged into results.json: a figure not run keeps its last value.
"""

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/livestock_bench"
YEAR_SCALE = float(os.environ.get("BENCH_YEAR_SCALE", "1"))


@dataclass(frozen=True)
class Figure:
    unit: str  # "s", "ms", "reads/s"...
    goal: float | None = None
    better: str = "lower"  # or "higher"
    about: str = ""

    def meets(self, value: float) -> bool | None:
        if self.goal is None:
            return None
        return value <= self.goal if self.better == "lower" else value >= self.goal


@dataclass(frozen=True)
class Benchmark:
    target: str  # "module:function"
    figures: dict[str, Figure] = field(default_factory=dict)
    django: bool = True  # runs against the application's database
    data: str = "empty"  # "empty" (migrated, nothing else) or "year" (bench/year.py)

    def function(self):
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


BENCHMARKS: dict[str, Benchmark] = {
    "herd_import": Benchmark(
        "bench.herd:run",
        {
            "tag_issue_100k_s": Figure(
                "s",
                about="Importing a supplier's list of 100,000 tags (tag_issue_import), all checks included, "
                "into the year at the real scale.",
            ),
            "animal_import_100k_s": Figure(
                "s",
                goal=10.0,
                about="Importing a herd list of 100,000 animals from a CSV file: animals_import_check "
                "then animals_import_confirm, all checks included, into the year at the real scale "
                "(~2.2 million animals); the goal holds for the worst run.",
            ),
        },
        data="year",
    ),
    "demo_seed": Benchmark(
        "bench.demo:run",
        {
            "farms_demo_seed_s": Figure(
                "s",
                goal=30,
                about="farms.demo.seed on a database with the demo's people: 300 farms, a year of "
                "supervision.",
            ),
            "farms_demo_seed_again_s": Figure(
                "s", goal=1, about="farms.demo.seed a second time (it finds the registry and does nothing)."
            ),
        },
    ),
    "gps": Benchmark(
        "bench.gps:run",
        {
            "gps_points_per_s": Figure(
                "points/s",
                goal=20_000,
                better="higher",
                about="150 GPS units posting JSON batches of 500 points through the API (token, parser, "
                "checks, attachment to the trip, commit), in-process: 300,000 points, into the year "
                "(its fortnight of trips' points already there).",
            ),
            "corridor_check_ms": Figure(
                "ms",
                goal=200,
                about="The periodic check (transit.journeys_check) over 150 trucks on the road (on 150 of "
                "the year's farms' corridors, beside the year's own trucks of now): corridor, stop, signal, "
                "lateness, disease zones; the alerts already raised are not written again.",
            ),
        },
        data="year",
    ),
    "surveillance": Benchmark(
        "bench.surveillance:run",
        {
            "zone_flag_ms": Figure(
                "ms",
                goal=200,
                about="A new outbreak's zones checked against 100,000 farms until every farm inside is "
                "flagged and alerted (report_create, committed).",
            ),
            "restrictions_for_farms_ms": Figure(
                "ms",
                goal=20,
                about="The restriction check for 500 farms at once; 1,000 zones on record, most lifted.",
            ),
        },
    ),
    "quarantine": Benchmark(
        "bench.quarantine:run",
        {
            "declare_40_ms": Figure(
                "ms",
                goal=100,
                about="consignment_declare of 40 living pigs of one farm, every rule checked and the "
                "consignment, its animals and their events saved, until committed (server time); median "
                "of 7, the worst beside it.",
            ),
            "declare_600_ms": Figure(
                "ms", goal=500, about="The same with 600 animals (a large enterprise's day of loading)."
            ),
            "certificate_pdf_ms": Figure(
                "ms",
                goal=200,
                about="The signed certificate of 120 animals checked (signature, rows, QR payload) and "
                "rendered as the PDF page serves it.",
            ),
            "verify_qr_ms": Figure(
                "ms", goal=5, about="A certificate's QR payload verified offline with the published keys."
            ),
        },
        data="year",
    ),
    # gunicorn with the production settings, and an asyncio load generator: see load.py.
    "load": Benchmark(
        "bench.load:run",
        {
            "load_worst_ratio_50": Figure(
                "×floor",
                goal=round(1 / 3, 3),
                better="higher",
                about="Every key screen at 50 users: its requests/s over the floor's (a bare "
                "authenticated view, same server, same run); the worst screen. Every screen's "
                "figures are kept in its details.",
            ),
            "load_worst_p95_10_ms": Figure(
                "ms", goal=150, about="Every key screen at 10 users: the worst screen's p95."
            ),
            "load_floor_rps_50": Figure(
                "req/s", better="higher", about="The floor at 50 users (moves with the machine's load)."
            ),
            "load_errors": Figure("requests", goal=0, about="Answers other than 200 over the whole run."),
        },
    ),
    # Its own production-shaped stack (PostgreSQL cluster, Redis, worker, bridge): see ingest.py.
    "ingest": Benchmark(
        "bench.ingest:run",
        {
            "ingest_reads_per_s": Figure(
                "reads/s",
                goal=20_000,
                better="higher",
                about="A herd of 25,000 registered animals passing a chute, 8 reads a tag (200,000 reads), "
                "through the cable, bridge, spool, Redis and worker into PostgreSQL: every animal matched, "
                "moved and given its presence event.",
            ),
            "ingest_unknown_reads_per_s": Figure(
                "reads/s",
                better="higher",
                about="The same bursts of 25,000 tags nobody registered (stored and flagged, nothing moved).",
            ),
            "copy_floor_reads_per_s": Figure(
                "reads/s", better="higher", about="The herd's rows written with one COPY: the floor."
            ),
            "ingest_share_of_copy_floor": Figure(
                "ratio",
                goal=0.25,
                better="higher",
                about="ingest_reads_per_s over copy_floor_reads_per_s, measured in the same run.",
            ),
            "orm_naive_reads_per_s": Figure(
                "reads/s", better="higher", about="One Celery task and one ORM save per read."
            ),
            "read_to_record_p95_ms": Figure(
                "ms",
                goal=2000,
                about="A tag on the cable to its presence event, under a steady 2,000 reads/s; p95.",
            ),
        },
        django=False,
    ),
    # The port officer's check of a truck: bench/port.py.
    "port": Benchmark(
        "bench.port:run",
        {
            "port_check_120_ms": Figure(
                "ms",
                goal=50,
                about="120 tags read against a manifest with the certificate's validity and seals "
                "(QR verified, set-aside animals excluded), server time; median of 30. On the year: 120 of "
                "its living pigs certified, loaded and resealed through the services.",
            ),
        },
        data="year",
    ),
    # The bridge alone on a virtual cable: bench/bridge_kill.py.
    "bridge": Benchmark(
        "bench.bridge_kill:run",
        {
            "reads_lost_per_bridge_kill": Figure(
                "reads",
                goal=8,
                about="Lines lost at the worst of 10 SIGKILLs of the bridge at 150 lines/s, counted exactly; "
                "goal: 50 ms of lines.",
            ),
            "bridge_cable_to_delivery_ms": Figure(
                "ms",
                goal=100,
                about="A line written into the cable until its read is delivered, at 20 lines/s; median.",
            ),
        },
        django=False,
    ),
}


# --- the machine ------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version(django_ready: bool) -> str | None:
    if django_ready:
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                return "PostgreSQL " + cursor.fetchone()[0].split()[0]
            return f"{connection.vendor} {getattr(connection.Database, 'sqlite_version', '')}".strip()
    try:
        out = subprocess.run(["postgres", "--version"], capture_output=True, text=True, timeout=10).stdout
        return out.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine(django_ready: bool) -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "postgres": _postgres_version(django_ready),
        "hostname": socket.gethostname(),
    }


# --- the database -----------------------------------------------------------------------------


def _database_recreate(url: str) -> None:
    """Drop and create the benchmark's own database: every ``make bench`` starts from an empty one."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _empty_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or BENCH_DATABASE


def django_setup() -> None:
    """Point Django at the benchmark database, as production runs (DEBUG off), and migrate it.

    BENCH_DATABASE_URL or DATABASE_URL, if set, is used as it is (migrated, never dropped);
    otherwise the benchmark's own database is made afresh, so that no earlier run's rows or bloat
    weigh on the figures.
    """
    url = _empty_url()
    if url == BENCH_DATABASE or os.environ.get("BENCH_DATABASE_URL"):
        _database_recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    # DEBUG keeps every statement with its parameters in memory: production does not.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def use_data(data: str) -> None:
    """Point Django's connection at the empty database or at a fresh copy of the year."""
    from django.db import connection

    base, _, name = _empty_url().rpartition("/")
    if data == "year":
        from . import year

        name = f"{name}_year_copy"  # not _year: the template is livestock_bench_year
        connection.close()
        year.ensure(f"{base}/{name}", scale=YEAR_SCALE)
    connection.close()
    # The psycopg pool keeps its connections to the database it was opened on whatever NAME
    # says afterwards: without closing it the "year" benchmarks ran on the empty database.
    if hasattr(connection, "close_pool"):
        connection.close_pool()
    connection.settings_dict["NAME"] = name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            actual = cursor.fetchone()[0]
        if actual != name:
            raise SystemExit(f"the benchmark would run on {actual}, not on {name}")


# --- running and keeping the figures ----------------------------------------------------------


def _value(result) -> tuple[float, dict]:
    if isinstance(result, dict):
        details = {k: v for k, v in result.items() if k != "value"}
        return float(result["value"]), details
    return float(result), {}


def run(names: list[str], *, repeat: int = 1, profile: bool = False) -> dict[str, dict]:
    """Run the benchmarks named (benchmark or figure names; all if none); return the new figures."""
    chosen = {}
    for name in names or list(BENCHMARKS):
        found = BENCHMARKS.get(name) and name
        found = found or next((b for b, bench in BENCHMARKS.items() if name in bench.figures), None)
        if found is None:
            known = sorted([*BENCHMARKS, *(f for b in BENCHMARKS.values() for f in b.figures)])
            raise SystemExit(f"Unknown benchmark {name!r}. Known: {', '.join(known)}")
        chosen[found] = BENCHMARKS[found]
    django_ready = False
    if any(b.django for b in chosen.values()):
        django_setup()
        django_ready = True
    new = {}
    for name, bench in chosen.items():
        print(f"== {name}", flush=True)
        if bench.django:
            use_data(bench.data)
        function = bench.function()
        runs = []
        for n in range(repeat):
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            result = function(profile=profile) if profile else function()
            runs.append((load, result))
            shown = ", ".join(f"{k} {_value(v)[0]:.3f}" for k, v in result.items())
            print(f"   run {n + 1}/{repeat}: {shown}", flush=True)
        # In UTC: Django sets the process's TZ to TIME_ZONE, so a local time would depend on
        # whether the benchmark used Django.
        when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        host = machine(django_ready)
        for figure, meta in bench.figures.items():
            values = [_value(r[figure]) for _load, r in runs if figure in r]
            if not values:
                continue
            value = statistics.median(v for v, _d in values)
            details = min(values, key=lambda v: abs(v[0] - value))[1]
            # A figure that times several runs inside one benchmark run reports its own worst.
            worst = (max if meta.better == "lower" else min)(d.get("worst_run", v) for v, d in values)
            new[figure] = {
                "value": round(value, 3),
                "worst": round(worst, 3),
                "unit": meta.unit,
                "goal": meta.goal,
                "better": meta.better,
                "machine": host,
                "date": when,
                "runs": [round(v, 3) for v, _d in values],
                "load_1m": [None if load is None else round(load, 2) for load, _r in runs],
                **({"data": f"year at scale {YEAR_SCALE:g}"} if bench.data == "year" else {}),
                **({"details": details} if details else {}),
            }
    return new


def results_merge(new: dict[str, dict], path: Path = RESULTS) -> dict[str, dict]:
    results = json.loads(path.read_text()) if path.exists() else {}
    results.update(new)
    path.write_text(json.dumps(dict(sorted(results.items())), indent=2, ensure_ascii=False) + "\n")
    return results


def table(
    results: dict[str, dict],
    fresh: set[str],
    note: str = "(* measured now; the others are kept from earlier runs)",
) -> str:
    rows = [("figure", "median", "worst", "unit", "goal", "", "date")]
    for name, fig in sorted(results.items()):
        goal = fig.get("goal")
        better = fig.get("better", "lower")
        shown_goal = "" if goal is None else f"{'≤' if better == 'lower' else '≥'} {goal:g}"
        worst = fig.get("worst")
        # A goal is met when the worst run meets it, not only the median.
        ok = (
            ""
            if goal is None
            else (
                "ok" if Figure(fig["unit"], goal, better).meets(fig.get("worst", fig["value"])) else "MISSED"
            )
        )
        mark = " *" if name in fresh else ""
        rows.append(
            (
                name + mark,
                f"{fig['value']:g}",
                "" if worst is None else f"{worst:g}",
                fig["unit"],
                shown_goal,
                ok,
                fig.get("date", "")[:16],
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n" + note


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description="Run the benchmarks and keep their figures in bench/results.json."
    )
    parser.add_argument("names", nargs="*", help="benchmarks or figures to run (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per benchmark; the median is kept")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the timed parts (cProfile, var/bench/); the figures are then not kept",
    )
    args = parser.parse_args(argv)
    new = run(args.names, repeat=max(1, args.repeat), profile=args.profile)
    print()
    if args.profile:
        # The profiler slows the code it watches: these figures are not the system's.
        print(table(new, set(new), "(* profiled, so slower than without: not kept in results.json)"))
        return
    print(table(results_merge(new), set(new)))


if __name__ == "__main__":
    main()
