"""Tags and herds made through the services, as a farm clerk would."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from livestock.eartags import RfidCode
from livestock.services import animals as animal_services
from livestock.services import tags as tag_services
from livestock.services.events import Happening, Where, event_append
from livestock.services.records import log_record

BOLUO = "441322"


def national(serial: int, species: str = "1", county: str = BOLUO) -> str:
    return f"{species}{county}{serial:08d}"


def rfid(serial: int) -> str:
    return RfidCode(156, 900_000_000 + serial).format_decimal("")


def csv_file(name: str, header: list[str], rows: list[list]) -> SimpleUploadedFile:
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join(str(c) for c in row) + "\n")
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def issue_tags(actor, serials, species: str = "1", supplier: str = "牧翔耳标厂"):
    rows = [[national(s, species), rfid(s)] for s in serials]
    return tag_services.tag_issue_import(
        actor=actor, file=csv_file("tags.csv", ["national_code", "rfid"], rows), supplier=supplier
    )


def herd_file(serials, *, species="1", pen="1号猪舍", birth="2026-08-01", sex="female", origin="自繁"):
    rows = [[national(s, species), sex, "杜洛克", birth, pen, origin] for s in serials]
    return csv_file("herd.csv", ["耳标号", "性别", "品种", "出生日期", "圈舍", "来源"], rows)


def herd(actor, farm, serials, **kwargs):
    """Issue tags for ``serials`` and register them on ``farm``; return the animals."""
    issue_tags(actor, serials)
    check = animal_services.animals_import_check(actor=actor, farm=farm, file=herd_file(serials, **kwargs))
    assert check.status == "checked", check.errors
    animal_services.animals_import_confirm(actor=actor, animal_import=check)
    return list(farm.animals.order_by("national_code"))


def sightings(animal, count: int, *, start=None) -> None:
    """``count`` reader sightings of ``animal``, a minute apart from ``start`` (default: a minute
    from now), each at its own gate ``urn:test:gate:NNN`` (its number from 000): one `seen` event
    each, written through the one writer of the record as the ingestion writes them."""
    start = start or timezone.now() + dt.timedelta(minutes=1)
    for n in range(count):
        where = Where(site=f"urn:test:gate:{n:03d}")
        event_append(
            animal=animal, happening=Happening(kind="seen", when=start + dt.timedelta(minutes=n), where=where)
        )


def feed_records(actor, farm, animal, count: int) -> list:
    """``count`` feed records of ``animal``, one a day going back from today (the first today), each
    of its own batch ``F000``, ``F001``…, written through the records service as a clerk keeps them
    (each also puts a `feed` event, naming its record, in the animal's record). Newest first."""
    today = timezone.localdate()
    return [
        log_record(
            actor=actor,
            farm=farm,
            kind="feed",
            occurred_on=today - dt.timedelta(days=n),
            fields={"product": "育肥猪配合饲料", "maker": "温氏饲料", "batch": f"F{n:03d}"},
            animal_ids=[animal.pk],
        )
        for n in range(count)
    ]
