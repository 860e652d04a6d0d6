"""Where a key screen's time goes, in-process: each screen of ``bench/load.py`` against the floor.

The load benchmark says how fast a screen is under gunicorn; this says why. Every screen of
``bench.load.screens()`` is requested through Django's test client — the production settings,
every middleware, a logged-in session — ``--n`` times after a warm-up, and its CPU time per
request (this process only: the database's own time is apart) is set beside the floor's, with its
queries and their time. ``--profile NAME`` runs one screen under cProfile and prints the functions
that cost most; ``--no-cache`` renders every request (what a page costs when it changed).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lv_x python -m bench.screens
    DATABASE_URL=... python -m bench.screens --only farm_registry,herd_list --n 50
    DATABASE_URL=... python -m bench.screens --profile farm_registry --n 50

The database is used as it is (a copy of the year: ``python -m bench.year --db lv_x``), the cache
is ``REDIS_URL``'s. Each screen's ratio is the floor's time over the screen's (the same sense as
the load benchmark's ratio of requests/s; the goal there is at least a third).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load_settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-screens-not-secret-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,testserver")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The public verification page's limit per address, out of reach (as in bench/load.py).
    os.environ.setdefault("QUARANTINE_VERIFY_LIMIT", str(10**9))
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench" / "static"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)


def _client(username: str | None):
    """A client logged in as ``username``; None for the public (no log-in)."""
    from django.test import Client

    from accounts.models import User

    client = Client(headers={"x-forwarded-proto": "https"}, HTTP_HOST="127.0.0.1")
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def _get(client, url: str):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    return response


def measure(screen, client, n: int) -> dict:
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        _get(client, screen.url)
    # The test client's request would empty the log the context reads.
    request_started.disconnect(reset_queries)
    try:
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, screen.url)
    finally:
        request_started.connect(reset_queries)
    # Read now: the context reads the connection's log, which the next request empties.
    captured = queries.captured_queries
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        _get(client, screen.url)
    cpu, wall = (time.process_time() - cpu0) / n, (time.perf_counter() - wall0) / n
    return {
        "cpu_ms": cpu * 1000,
        "wall_ms": wall * 1000,
        "queries": len(captured),
        "sql_ms": sum(float(q["time"]) for q in captured) * 1000,
        "bytes": len(response.content),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="requests measured per screen")
    parser.add_argument("--only", default="", help="screens, comma-separated (the floor always runs)")
    parser.add_argument("--profile", help="one screen under cProfile")
    parser.add_argument("--sort", default="tottime", help="cProfile's sort key (tottime, cumulative)")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--no-cache", action="store_true", help="render every time (accounts.pagecache off)")
    args = parser.parse_args(argv)
    _setup()
    if args.no_cache:
        from accounts.pagecache import PageCacheMixin

        PageCacheMixin.page_cache = False
    from bench import load

    load._passwords()
    every = load.screens()
    clients = {who: _client(who) for who in (load.BUREAU, load.ENTERPRISE)}
    clients[load.ANONYMOUS] = _client(None)
    if args.profile:
        screen = next(s for s in every if s.name == args.profile)
        client = clients[screen.who]
        for _ in range(3):
            _get(client, screen.url)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            _get(client, screen.url)
        profile.disable()
        pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.lines)
        return
    wanted = {s for s in args.only.split(",") if s}
    chosen = [s for s in every if s.name == "floor" or not wanted or s.name in wanted]
    floor = None
    print(f"{'screen':<22} {'cpu ms':>8} {'wall ms':>8} {'ratio':>6} {'queries':>7} {'sql ms':>7} {'kB':>6}")
    for screen in chosen:
        f = measure(screen, clients[screen.who], args.n)
        floor = floor or f
        ratio = floor["cpu_ms"] / f["cpu_ms"]
        print(
            f"{screen.name:<22} {f['cpu_ms']:>8.1f} {f['wall_ms']:>8.1f} {ratio:>6.2f} {f['queries']:>7} "
            f"{f['sql_ms']:>7.1f} {f['bytes'] / 1024:>6.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
