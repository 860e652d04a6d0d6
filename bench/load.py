"""Fifty officers at once: every key screen under load beside the framework's floor, in one run.

The app runs as in production: gunicorn with two sync workers, the production settings
(``bench/load_settings.py`` adds only the floor's URL), PostgreSQL and Redis (cached_db
sessions, the cache). An asyncio load generator (aiohttp) logs its users in once — a bureau
manager and an enterprise administrator, as many sessions of each as there are users; the public
(the certificate's verification page) sends no cookie — and then
each user requests one screen in a loop, for ``LOAD_SECONDS`` (default 10) after a short warm-up.
Every screen and the floor are measured at 10 and at 50 users: requests/s, p50, p95, p99 and
errors (any answer but 200, or a failed connection). The floor is a bare authenticated view on
the same server (``bench/load_urls.py``): same middleware, same session handling, nothing else.
It is measured before the screens and again after them, and each screen's ratio is to the mean
of the two: the machine is shared, and the ratio is what compares across runs.

The data: the year at the real scale (``bench.year``, made once into a template database and
copied for each run), or with ``LOAD_DATA=current`` the database as it is (see ``_data``).
Screens are picked on the biggest farm (the bureau's and the enterprise's), an animal of it
with a long record, the busiest reader, and the approved consignment with the most head.

    python -m bench.run load                 # as part of make bench
    LOAD_SCALE=0.1 LOAD_SECONDS=5 LOAD_SCREENS=herd_list python -m bench.run load
"""

import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VAR = ROOT / "var" / "bench"
USERS = (10, 50)
WORKERS = 2
PASSWORD = "Bench-load-2026!"
BUREAU, ENTERPRISE = "manager", "ent_a_admin"
# A member of the public (the certificate's verification page): no log-in, no cookie.
ANONYMOUS = "anonymous"
WARMUP_S = 2.0
READS = 20_000  # reads written for the bench's reader when the data has none
FEED_NEW = 20  # reads a poll of the live feed finds (a busy gate: 10 a second)


@dataclass(frozen=True)
class Screen:
    name: str
    who: str  # BUREAU, ENTERPRISE or ANONYMOUS
    url: str
    about: str


# --- the data ---------------------------------------------------------------------------------


def _switch_database(name: str) -> None:
    """Point this process's Django connection at database ``name`` (the year's copy)."""
    from django.db import connections

    conn = connections["default"]
    conn.close()
    if hasattr(conn, "close_pool"):
        conn.close_pool()
    conn.settings_dict["NAME"] = name


def _data() -> None:
    """The data the screens show.

    ``LOAD_DATA=year`` (the default): the year at the real scale (``bench.year``; ``LOAD_SCALE``,
    default 1) copied into ``LOAD_DATABASE`` (default ``livestock_bench_load``), and this process
    switched to it. ``LOAD_DATA=current``: the database Django already uses, as it is (seeded
    with the demo at ``LIVESTOCK_DEMO_SCALE`` if it has no animals).
    """
    from livestock.services.counts import recount

    if os.environ.get("LOAD_DATA", "year") == "year":
        from bench import year

        scale = float(os.environ.get("LOAD_SCALE", "1"))
        name = os.environ.get("LOAD_DATABASE", "livestock_bench_load")
        template = os.environ.get("LOAD_TEMPLATE") or None
        year.ensure(f"{year.SERVER}/{name}", scale=scale, template=template)
        _switch_database(name)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        # The year is written with COPY around the services: its maintained counts are rebuilt.
        recount()
        return
    from livestock.models import Animal

    if Animal.objects.exists():
        return
    from django.core.management import call_command

    os.environ.setdefault("LIVESTOCK_DEMO_SCALE", "1.0")
    from django.conf import settings

    settings.LIVESTOCK_DEMO_SCALE = float(os.environ["LIVESTOCK_DEMO_SCALE"])
    call_command("seed_demo", quiet_logins=True, verbosity=0)


def _reader():
    """The busiest reader; one at the warehouse with READS reads of farm animals if there is none."""
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Organisation, User
    from livestock.models import Animal, ReaderDevice, TagRead
    from livestock.services.devices import device_register

    device = ReaderDevice.objects.annotate(n=Count("reads")).order_by("-n").first()
    if device is not None and device.n:
        return device
    if device is None:
        site = Organisation.objects.filter(kind=Organisation.Kind.WAREHOUSE).first()
        actor = User.objects.get(username=BUREAU)
        device = device_register(actor=actor, code="bench-gate", name="Bench gate", site=site)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TagRead._meta.db_table} (device_id, seq, tag, read_at, received_at, repeat, raw,
                                                  animal_id)
            SELECT %s, n, a.rfid, %s - make_interval(secs => %s - n), %s - make_interval(secs => %s - n),
                   false, '', a.id
            FROM (SELECT id, rfid, row_number() OVER (ORDER BY id) AS n FROM {Animal._meta.db_table}
                  WHERE rfid IS NOT NULL LIMIT %s) a
            """,
            [device.pk, now, READS, now, READS, READS],
        )
        cursor.execute(f"ANALYZE {TagRead._meta.db_table}")
    return device


def screens() -> list[Screen]:
    """The key screens, with the objects they show picked from the data (the biggest ones)."""
    from django.db.models import Count, Sum
    from django.urls import reverse

    from accounts.models import User
    from farms.models import Farm
    from livestock.models import Animal, Event, TagRead

    enterprise = User.objects.get(username=ENTERPRISE).organisation
    # The biggest herds, by their maintained counts.
    biggest = Farm.objects.annotate(n=Sum("head_counts__head")).filter(n__gt=0).order_by("-n")
    farm = biggest.first()
    own = biggest.filter(enterprise=enterprise).first()
    animals = Animal.objects.filter(farm=own, status__in=Animal.ON_FARM).values_list("pk", flat=True)[:200]
    animal = (
        Event.objects.filter(animal__in=list(animals))
        .values("animal")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("animal", flat=True)
        .first()
    )
    reader = _reader()
    # A poll as the live page makes it every 2 s: the reads stored since its last one (here the
    # newest FEED_NEW of the reader's).
    newest = TagRead.objects.filter(device=reader).order_by("-pk").values_list("pk", flat=True)
    after = (newest[FEED_NEW - 1 : FEED_NEW] or [0])[0]
    ciq = "portal_ciq:"
    ent = "portal_enterprise:"
    return [
        Screen("floor", BUREAU, "/bench/floor/", "A bare authenticated view: the framework's floor."),
        Screen("bureau_home", BUREAU, reverse(ciq + "home"), "The bureau's home."),
        Screen("farm_registry", BUREAU, reverse(ciq + "farm_list"), "The farm registry."),
        Screen("herd_list", BUREAU, reverse(ciq + "herd_list"), "The bureau's list of herds."),
        Screen(
            "herd_farm_bureau", BUREAU, reverse(ciq + "herd_farm", args=[farm.pk]), "A farm's herd (bureau)."
        ),
        Screen(
            "herd_farm_enterprise",
            ENTERPRISE,
            reverse(ent + "herd_farm", args=[own.pk]),
            "A farm's herd (enterprise).",
        ),
        Screen("animal", BUREAU, reverse(ciq + "animal_detail", args=[animal]), "An animal's page."),
        Screen(
            "records", ENTERPRISE, reverse(ent + "log_list", args=[own.pk]), "A farm's production records."
        ),
        Screen("calendar", BUREAU, reverse(ciq + "supervision_calendar"), "The supervision calendar."),
        Screen("reader", BUREAU, reverse(ciq + "reader_detail", args=[reader.pk]), "A reader's page."),
        Screen(
            "reader_feed",
            BUREAU,
            reverse(ciq + "reader_feed", args=[reader.pk]) + f"?after={after}",
            f"A reader's live feed: a poll that finds {FEED_NEW} new reads.",
        ),
        Screen("farm_map_data", BUREAU, reverse(ciq + "farm_map_data"), "The farm map's data."),
        Screen("enterprise_home", ENTERPRISE, reverse(ent + "home"), "The enterprise's home."),
        Screen("alert_centre", BUREAU, reverse(ciq + "alert_centre"), "The alerts centre."),
        Screen("zone_map", BUREAU, reverse(ciq + "zone_map"), "The zone map with its data."),
        *_transit_screens(ciq, ent, enterprise),
        *_quarantine_screens(ciq, ent, enterprise),
    ]


def _transit_screens(ciq: str, ent: str, enterprise) -> list[Screen]:
    """Transit's key screens; a trip's and a loading's only where the data has one (the one
    with the longest track, the one with the most animals)."""
    from django.db.models import Count
    from django.urls import reverse

    from transit.models import Loading, Trip

    found = [
        Screen(
            "fleet_review",
            BUREAU,
            reverse(ciq + "fleet_review"),
            "The bureau's review of vehicles and drivers.",
        ),
        Screen("loading_list", BUREAU, reverse(ciq + "loading_list"), "The loadings list."),
        Screen("journey_live", BUREAU, reverse(ciq + "journey_live"), "The live map of trucks on the road."),
        Screen(
            "journey_live_data",
            BUREAU,
            reverse(ciq + "journey_live_data"),
            "The live map's data (trucks, alerts).",
        ),
        Screen("corridor_list", BUREAU, reverse(ciq + "corridor_list"), "The farms' corridors."),
        Screen("warehouse_board", BUREAU, reverse(ciq + "warehouse_board"), "The Qingshuihe pens board."),
        Screen("port_screen", BUREAU, reverse(ciq + "port_screen"), "The port officer's screen and queue."),
        Screen("fleet_enterprise", ENTERPRISE, reverse(ent + "fleet"), "The enterprise's fleet."),
        Screen(
            "journey_live_data_enterprise",
            ENTERPRISE,
            reverse(ent + "journey_live_data"),
            "The enterprise's live map data.",
        ),
    ]
    trip = Trip.objects.annotate(n=Count("points")).order_by("-n", "-pk").first()
    if trip is not None:
        found += [
            Screen("trip_journey", BUREAU, reverse(ciq + "trip_journey", args=[trip.pk]), "A trip's page."),
            Screen(
                "trip_track", BUREAU, reverse(ciq + "trip_track", args=[trip.pk]), "A trip's track (replay)."
            ),
        ]
    own = Trip.objects.filter(enterprise=enterprise).annotate(n=Count("points")).order_by("-n", "-pk").first()
    if own is not None:
        found.append(
            Screen(
                "trip_journey_enterprise",
                ENTERPRISE,
                reverse(ent + "trip_journey", args=[own.pk]),
                "A trip's page (enterprise).",
            )
        )
    loading = Loading.objects.annotate(n=Count("animals")).order_by("-n", "-pk").first()
    if loading is not None:
        found.append(
            Screen(
                "loading_detail",
                BUREAU,
                reverse(ciq + "loading_detail", args=[loading.pk]),
                "A loading's page.",
            )
        )
    if trip is None or loading is None:
        print("   (the data holds no trip or no loading: their pages are not measured)", flush=True)
    return found


def _quarantine_screens(ciq: str, ent: str, enterprise) -> list[Screen]:
    """Origin quarantine's key screens, on the biggest objects: the approved consignment with the
    most head (the bureau's; the enterprise's own), its certificate for the public page, and the
    enterprise's active farm with the most animals on it for the declaration's herd to tick."""
    from django.db.models import Q, Sum
    from django.urls import reverse

    from farms.models import Farm
    from livestock.models import Animal
    from quarantine.models import Certificate, Consignment

    approved = Consignment.objects.filter(status=Consignment.Status.APPROVED).order_by("-head_count", "-pk")
    consignment = approved.first()
    own = approved.filter(enterprise=enterprise).first()
    certificate = (
        Certificate.objects.filter(consignment=consignment, voided_at__isnull=True).order_by("-pk").first()
    )
    farm = (
        Farm.objects.filter(enterprise=enterprise, status__in=Farm.ACTIVE)
        .annotate(n=Sum("head_counts__head", filter=Q(head_counts__status=Animal.Status.ON_FARM)))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    queue = reverse(ciq + "consignment_queue")
    found = [
        Screen("consignment_queue", BUREAU, queue, "The bureau's consignments in inspection."),
        Screen("consignment_queue_all", BUREAU, queue + "?show=all", "Every consignment, newest first."),
        Screen("lims_import", BUREAU, reverse(ciq + "lims_import"), "The laboratory's LIMS import page."),
        Screen(
            "consignment_list_enterprise",
            ENTERPRISE,
            reverse(ent + "consignment_list"),
            "The enterprise's consignments.",
        ),
    ]
    if farm is not None:
        found.append(
            Screen(
                "declare",
                ENTERPRISE,
                reverse(ent + "consignment_declare") + f"?farm={farm.pk}",
                "The declaration form with the herd of the enterprise's biggest farm to tick.",
            )
        )
    if consignment is not None:
        found.append(
            Screen(
                "consignment_bureau",
                BUREAU,
                reverse(ciq + "consignment_detail", args=[consignment.pk]),
                "A consignment's page with its certificate checked (bureau).",
            )
        )
    if own is not None:
        found.append(
            Screen(
                "consignment_enterprise",
                ENTERPRISE,
                reverse(ent + "consignment_detail", args=[own.pk]),
                "A consignment's page (enterprise).",
            )
        )
    if certificate is not None:
        query = urlencode({"number": certificate.number, "token": certificate.token})
        found.append(
            Screen(
                "certificate_verify",
                ANONYMOUS,
                reverse("certificate_verify") + "?" + query,
                "The public verification page of a certificate (no log-in).",
            )
        )
    if consignment is None or own is None or farm is None:
        print("   (the data holds no approved consignment or no active farm: their pages are not measured)")
    return found


def _passwords() -> None:
    """The bench's two users get a known password (demo users have none outside the embedded mode)."""
    from accounts.models import User

    for user in User.objects.filter(username__in=[BUREAU, ENTERPRISE]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict:
    from django.db import connections

    db = connections["default"].settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.load_settings",
        DJANGO_SECRET_KEY="bench-load-not-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="false",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        STATIC_ROOT=str(VAR / "static"),
        TRUSTED_PROXY_COUNT="0",
        # The public verification page allows 60 look-ups per address per 10 minutes; the bench's
        # public users all come from 127.0.0.1 and make thousands. The count is still made (and
        # timed) on every look-up; only the ceiling is out of reach.
        QUARANTINE_VERIFY_LIMIT=str(10**9),
        LOG_LEVEL="WARNING",
    )
    return env


def _collectstatic(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def _start(env: dict, port: int) -> subprocess.Popen:
    VAR.mkdir(parents=True, exist_ok=True)
    log = (VAR / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--forwarded-allow-ips=*",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped; see {VAR / 'gunicorn.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


# --- the load generator -----------------------------------------------------------------------

# As the TLS-terminating proxy in front of production speaks to gunicorn.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def _login(http, base: str, username: str) -> str:
    """Log in through the login page as a browser does; return the session's cookie header."""
    async with http.get(base + "/accounts/login/", headers=PROXY_HEADERS) as r:
        page = await r.text()
        csrf = r.cookies["csrftoken"].value
    token = CSRF_RE.search(page).group(1)
    headers = {
        **PROXY_HEADERS,
        "Cookie": f"csrftoken={csrf}",
        "Referer": "https://127.0.0.1/accounts/login/",
        "Origin": "https://127.0.0.1",
    }
    data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    async with http.post(base + "/accounts/login/", data=data, headers=headers, allow_redirects=False) as r:
        if r.status != 302 or "sessionid" not in r.cookies:
            raise RuntimeError(f"log-in of {username} failed: {r.status}")
        return f"csrftoken={csrf}; sessionid={r.cookies['sessionid'].value}"


async def _sessions(base: str, count: int) -> dict[str, list[str]]:
    import aiohttp

    # Cookies are sent by hand: production marks them Secure, and this client speaks plain HTTP
    # to gunicorn as the proxy does.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        sessions = {}
        for who in (BUREAU, ENTERPRISE):
            # A few at a time: each log-in hashes a password (production's PBKDF2).
            sessions[who] = []
            for start in range(0, count, 4):
                batch = [_login(http, base, who) for _ in range(min(4, count - start))]
                sessions[who] += await asyncio.gather(*batch)
        sessions[ANONYMOUS] = [""] * count  # the public: no session, no cookie
        return sessions


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


async def _load(base: str, url: str, cookies: list[str], seconds: float) -> dict:
    """``len(cookies)`` users request ``url`` in a loop; figures over ``seconds`` after the warm-up."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    statuses: dict[str, int] = {}
    start = time.monotonic()
    measure_from = start + WARMUP_S
    stop = measure_from + seconds
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=len(cookies))

    async def user(cookie: str) -> None:
        nonlocal errors
        headers = {**PROXY_HEADERS, **({"Cookie": cookie} if cookie else {})}
        while True:
            t0 = time.monotonic()
            if t0 >= stop:
                return
            try:
                async with http.get(base + url, headers=headers, allow_redirects=False) as r:
                    await r.read()
                    status = r.status
            except (aiohttp.ClientError, TimeoutError) as e:
                status = type(e).__name__
            t1 = time.monotonic()
            if measure_from <= t1 <= stop:
                latencies.append(t1 - t0)
                if status != 200:
                    errors += 1
                    statuses[str(status)] = statuses.get(str(status), 0) + 1

    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), connector=connector, timeout=timeout
    ) as http:
        await asyncio.gather(*(user(c) for c in cookies))
    ms = [v * 1000 for v in latencies]
    return {
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "requests": len(latencies),
        "errors": errors,
        **({"statuses": statuses} if statuses else {}),
    }


# --- the run ----------------------------------------------------------------------------------


def _chosen(all_screens: list[Screen]) -> list[Screen]:
    wanted = [s for s in os.environ.get("LOAD_SCREENS", "").split(",") if s]
    if not wanted:
        return all_screens
    unknown = set(wanted) - {s.name for s in all_screens}
    if unknown:
        raise SystemExit(f"Unknown screens {sorted(unknown)}; known: {[s.name for s in all_screens]}")
    return [s for s in all_screens if s.name in wanted or s.name == "floor"]


def measure(base: str, chosen: list[Screen], seconds: float) -> dict[str, dict]:
    """Every screen at every number of users; the floor before and after the screens."""
    sessions = asyncio.run(_sessions(base, max(USERS)))
    floor = chosen[0]
    results: dict[str, dict] = {}
    floors: dict[int, list[dict]] = {n: [] for n in USERS}

    def one(screen: Screen, users: int) -> dict:
        figures = asyncio.run(_load(base, screen.url, sessions[screen.who][:users], seconds))
        print(
            f"   {screen.name:<22} {users:>3} users  {figures['rps']:>7.1f} req/s  "
            f"p50 {figures['p50_ms']:>7.1f}  p95 {figures['p95_ms']:>7.1f}  p99 {figures['p99_ms']:>7.1f} ms"
            f"  errors {figures['errors']}",
            flush=True,
        )
        return figures

    for users in USERS:
        floors[users].append(one(floor, users))
    for screen in chosen[1:]:
        results[screen.name] = {"url": screen.url, "about": screen.about}
        for users in USERS:
            results[screen.name][str(users)] = one(screen, users)
    for users in USERS:
        floors[users].append(one(floor, users))
    results["floor"] = {"url": floor.url, "about": floor.about}
    for users in USERS:
        runs = floors[users]
        merged = {
            k: round(statistics.mean(r[k] for r in runs), 1) for k in ("rps", "p50_ms", "p95_ms", "p99_ms")
        }
        merged["errors"] = sum(r["errors"] for r in runs)
        merged["runs_rps"] = [r["rps"] for r in runs]
        results["floor"][str(users)] = merged
    for screen in results.values():
        for users in USERS:
            base_rps = results["floor"][str(users)]["rps"]
            figures = screen[str(users)]
            figures["ratio"] = round(figures["rps"] / base_rps, 3) if base_rps else None
    return results


def table(results: dict[str, dict]) -> str:
    head = ("screen", "users", "req/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "errors", "goals")
    rows = [head]
    for name, screen in results.items():
        for users in USERS:
            f = screen[str(users)]
            ok = ""
            if name != "floor":
                if users == max(USERS):
                    ok = "ok" if f["ratio"] >= 1 / 3 and f["errors"] == 0 else "MISSED"
                else:
                    ok = "ok" if f["p95_ms"] < 150 and f["errors"] == 0 else "MISSED"
            shown = [f"{f[k]:.0f}" for k in ("p50_ms", "p95_ms", "p99_ms")]
            rows.append((name, users, f"{f['rps']:.1f}", f"{f['ratio']:.2f}", *shown, f["errors"], ok))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run() -> dict:
    """Figures for bench/run.py: the worst ratio at 50 users, the worst p95 at 10, and every screen."""
    seconds = float(os.environ.get("LOAD_SECONDS", "10"))
    _data()
    _passwords()
    chosen = _chosen(screens())
    env = _server_env()
    _collectstatic(env)
    port = _free_port()
    server = _start(env, port)
    try:
        results = measure(f"http://127.0.0.1:{port}", chosen, seconds)
    finally:
        _stop(server)
    print()
    print(table(results))
    shown = {k: v for k, v in results.items() if k != "floor"}
    low, high = str(min(USERS)), str(max(USERS))
    worst_ratio = min(shown.items(), key=lambda kv: kv[1][high]["ratio"])
    worst_p95 = max(shown.items(), key=lambda kv: kv[1][low]["p95_ms"])
    errors = sum(s[str(u)]["errors"] for s in results.values() for u in USERS)
    details = {"seconds": seconds, "workers": WORKERS, "screens": results}
    return {
        "load_worst_ratio_50": {"value": worst_ratio[1][high]["ratio"], "screen": worst_ratio[0], **details},
        "load_worst_p95_10_ms": {"value": worst_p95[1][low]["p95_ms"], "screen": worst_p95[0]},
        "load_floor_rps_50": results["floor"][high]["rps"],
        "load_errors": errors,
    }
