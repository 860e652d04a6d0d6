"""Importing 100,000 tags and then 100,000 animals, through the services a clerk's upload calls.

Each run starts clean: a new registered farm of the Huizhou demo enterprise, with twelve pens;
the files are written afresh (untimed); uploads go to a temporary MEDIA_ROOT. Timed:

- ``tag_issue_100k_s``: tag_issue_import of the supplier's list (read, check every row, look up
  every code already issued, write the delivery and its tags);
- ``animal_import_100k_s``: animals_import_check (read the file, check every row, look up every
  tag, keep the file and the rows as checked) plus animals_import_confirm (re-check what can have
  changed since: every tag still free, every pen still drawn; write the animals, mark their tags
  in use, append one 'registered' event each), until committed.

It runs on a copy of the year at the real scale (bench/year.py): ~2.2 million animals with their
tags and events are already there. Afterwards everything the run wrote is deleted and the tables
are vacuumed, so the next run starts from the same state.
"""

import cProfile
import datetime as dt
import io
import os
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from . import datagen

ROOT = Path(__file__).resolve().parent.parent

ROWS = 100_000
FARM_NAME = "基准测试养殖场"  # the bench's own farms, removed after each run (and before, if a run died)
SUPPLIER = "基准测试耳标厂"


def _layout() -> dict:
    features = []
    for n, name in enumerate(datagen.PENS):
        lng, lat = 114.2895 + n * 0.0004, 23.1727
        box = [[lng, lat], [lng + 0.0003, lat], [lng + 0.0003, lat + 0.0002], [lng, lat + 0.0002], [lng, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "pen", "name": name},
                "geometry": {"type": "Polygon", "coordinates": [box]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _farm(actor):
    from django.utils import timezone

    from accounts.models import Organisation
    from farms.models import Farm

    today = timezone.localdate()
    return Farm.objects.create(
        enterprise=actor.organisation,
        branch=Organisation.objects.get(code="ciq-huizhou"),
        name_zh=f"{FARM_NAME}{timezone.now():%Y%m%d%H%M%S}",
        name_en="Benchmark farm",
        species=datagen.SPECIES,
        capacity=150_000,
        county_code=datagen.COUNTY,
        address="惠州市博罗县石湾镇",
        latitude="23.172771",
        longitude="114.289528",
        layout=_layout(),
        vet_name="李兽医",
        vet_licence="GD-VET-2019-0001",
        immunisation_programme="猪瘟、口蹄疫、伪狂犬按程序免疫",
        status=Farm.Status.REGISTERED,
        registered_on=today,
        valid_until=today + dt.timedelta(days=5 * 365),
        created_by=actor,
    )


def _actor():
    from accounts import demo
    from accounts.models import User

    actor = User.objects.filter(username="ent_a_staff").select_related("organisation").first()
    if actor is None:
        demo.seed()  # the places and the demo people: the bench database starts empty
        actor = User.objects.select_related("organisation").get(username="ent_a_staff")
    return actor


def cleanup() -> None:
    """Delete every row the bench wrote (its farms, their animals, events, imports, tags)."""
    from django.db import connection, transaction

    from farms.models import Farm
    from livestock.models import Animal, AnimalImport, EarTag, Event, TagIssue

    farms = list(Farm.objects.filter(name_zh__startswith=FARM_NAME).values_list("pk", flat=True))
    issues = list(TagIssue.objects.filter(supplier=SUPPLIER).values_list("pk", flat=True))
    if not farms and not issues:
        return
    t = {
        m: m._meta.db_table for m in (Event, Animal, AnimalImport, EarTag, TagIssue, Farm, Farm.history.model)
    }
    # Tags and animals point at each other; the keys are checked at commit, when both are gone.
    with transaction.atomic(), connection.cursor() as cursor:
        if farms:
            # By animal: the events' index (a farm's would cost every insert); the year holds millions.
            cursor.execute(
                f"DELETE FROM {t[Event]} WHERE animal_id IN "
                f"(SELECT id FROM {t[Animal]} WHERE farm_id = ANY(%s))",
                [farms],
            )
        for table, column, ids in (
            (t[Animal], "farm_id", farms),
            (t[AnimalImport], "farm_id", farms),
            (t[EarTag], "issue_id", issues),
            (t[TagIssue], "id", issues),
            (t[Farm.history.model], "id", farms),
            (t[Farm], "id", farms),
        ):
            if ids:
                cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(ids))})", ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Event, Animal, EarTag):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (when it runs here)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class _Timer:
    """Wall time of the block; also this process's CPU time and the database backend's."""

    def __init__(self, profile: bool):
        self.profile = cProfile.Profile() if profile else None

    def __enter__(self):
        self.server = _server_cpu()
        self.cpu = time.process_time()
        self.started = time.perf_counter()
        if self.profile:
            self.profile.enable()
        return self

    def __exit__(self, *exc):
        if self.profile:
            self.profile.disable()
        self.seconds = time.perf_counter() - self.started
        self.client_cpu = time.process_time() - self.cpu
        server = _server_cpu()
        self.server_cpu = None if server is None or self.server is None else server - self.server

    def details(self) -> dict:
        out = {"client_cpu_s": round(self.client_cpu, 3)}
        if self.server_cpu is not None:
            out["server_cpu_s"] = round(self.server_cpu, 3)
        return out

    def report(self, name: str) -> None:
        if not self.profile:
            return
        out = ROOT / "var" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        self.profile.dump_stats(out / f"{name}.prof")
        text = io.StringIO()
        pstats.Stats(self.profile, stream=text).sort_stats("cumulative").print_stats(30)
        (out / f"{name}.txt").write_text(text.getvalue())
        # The calls that take the most time, here; all of it in var/bench/ (.prof for snakeviz).
        top = io.StringIO()
        pstats.Stats(self.profile, stream=top).sort_stats("cumulative").print_stats(12)
        print(top.getvalue().strip(), f"\n   (more: {out / name}.txt, {out / name}.prof)", flush=True)


def run(*, profile: bool = False) -> dict:
    from django.test import override_settings

    actor = _actor()
    cleanup()
    work = Path(tempfile.mkdtemp(prefix="livestock-bench-"))
    try:
        # The uploads the services keep land in a folder removed afterwards.
        with override_settings(MEDIA_ROOT=str(work / "media")):
            return _measure(actor, work, profile)
    finally:
        cleanup()
        shutil.rmtree(work, ignore_errors=True)


def _measure(actor, work: Path, profile: bool) -> dict:
    from django.core.files import File

    from livestock.models import AnimalImport
    from livestock.services import animals, tags

    farm = _farm(actor)
    tag_file, herd_file = datagen.write_files(work, ROWS)
    with tag_file.open("rb") as fh, _Timer(profile) as tag_timer:
        issue = tags.tag_issue_import(actor=actor, file=File(fh, name="tags.csv"), supplier=SUPPLIER)
    tag_timer.report("tag_issue_100k")
    assert issue.tag_count == ROWS
    with herd_file.open("rb") as fh, _Timer(profile) as timer:
        started = time.perf_counter()
        checked = animals.animals_import_check(actor=actor, farm=farm, file=File(fh, name="herd.csv"))
        check_s = time.perf_counter() - started
        if checked.status != AnimalImport.Status.CHECKED:
            raise RuntimeError(f"the herd list was refused: {checked.errors[:3]}")
        imported = animals.animals_import_confirm(actor=actor, animal_import=checked)
    timer.report("animal_import_100k")
    assert imported == ROWS == farm.animals.count()
    return {
        "tag_issue_100k_s": {"value": tag_timer.seconds, **tag_timer.details()},
        "animal_import_100k_s": {
            "value": timer.seconds,
            "check_s": round(check_s, 3),
            "confirm_s": round(timer.seconds - check_s, 3),
            **timer.details(),
        },
    }
