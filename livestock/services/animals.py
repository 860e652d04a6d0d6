"""Registering animals (one by one, by a tag read, or a whole herd list), re-tagging, corrections."""

import datetime as dt
import functools
import json
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.errors import DomainError
from accounts.models import User
from farms.models import Farm

from .. import tabular
from ..bulk import JsonText, insert_rows, json_text
from ..models import Animal, AnimalImport, EarTag
from . import cells
from .common import farm_check_keeper, farm_pens
from .counts import head_add, head_move, herd_changed
from .events import Happening, Where, events_append, source_of

COLUMNS = {
    "tag": ("耳标号", "国家标识码", "畜禽标识码", "电子标识号", "RFID", "ear tag", "tag number"),
    "species": ("畜种", "种类", "species"),
    "sex": ("性别", "sex"),
    "breed": ("品种", "breed"),
    "birth_date": ("出生日期", "birth date", "born"),
    "entry_date": ("入场日期", "引进日期", "entry date"),
    "pen": ("圈舍", "栏舍", "pen"),
    "origin": ("来源", "origin"),
    "origin_note": ("来源说明", "origin details"),
}
REQUIRED_COLUMNS = ("tag", "sex")

TAG_UNKNOWN = _("Tag {tag} was not issued to your enterprise. Import the supplier's list of tags first.")
TAG_USED = _("Tag {tag} is already on animal {animal}; one tag marks one animal, ever.")
TAG_RETIRED = _("Tag {tag} is {status} and cannot be used again.")
TAG_SPECIES = _("Tag {tag} is a tag for {tag_species}, but this farm keeps {farm_species}.")
SPECIES_MISMATCH = _("The tag says {tag_species}; this row says {species}.")
DATE_MISSING = _("Give the birth date (self-bred) or the date it came onto the farm.")
ENTRY_BEFORE_BIRTH = _("It came onto the farm ({entry}) before it was born ({birth}).")
PEN_UNKNOWN = _("“{pen}” is not a pen of this farm. Pens: {pens}.")
REPEATED_IN_FILE = _("Tag {tag} is also on row {row} of this file.")
TAG_TAKEN_MEANWHILE = _("Tag {tag} was used or taken out of use after the list was checked.")
IMPORT_DONE = _("This list has already been imported or cancelled.")
IMPORT_HAS_ERRORS = _("This list has errors; correct the file and upload it again.")
RACE = _("Some of these tags were used by someone else just now. Check the list again.")
RETAG_SAME = _("The new tag must be a different tag.")
RETAG_REASON = _("Say why the tag is replaced (lost, damaged, unreadable...).")
NOT_ON_FARM = _("{animal} is “{status}” and no longer on the farm.")


@dataclass
class Row:
    row: int  # the spreadsheet row it came from
    tag_id: int
    national_code: str
    rfid: str | None
    species: str
    sex: str
    breed: str
    birth_date: dt.date | None
    entry_date: dt.date | None
    pen: str
    origin: str
    origin_note: str


_UNSEEN = object()


def _error(errors, row, column, value, message):
    errors.append({"row": row, "column": column, "value": value, "error": str(message)})


def _tags_lookup(keys: dict[str, set[str]]) -> dict[tuple[str, str], dict]:
    """Look up tags by national code and RFID number, a few thousand per query."""
    found = {}
    fields = ("id", "national_code", "rfid", "species", "status", "enterprise_id", "animal__national_code")
    for key, values in keys.items():
        values = list(values)
        for start in range(0, len(values), 5000):
            for tag in EarTag.objects.filter(**{f"{key}__anyof": values[start : start + 5000]}).values(
                *fields
            ):
                found[(key, tag[key])] = tag
    return found


def animal_rows_check(*, farm: Farm, rows: list[dict], first_row: int = 2, today: dt.date | None = None):
    """Check herd-list rows for ``farm``; return (valid rows, errors). Reads, never writes."""
    today = today or timezone.localdate()
    pens = farm_pens(farm)
    pen_set = set(pens)
    species_label = dict(cells.Species.choices)
    errors: list[dict] = []
    parsed = []
    keys: dict[str, set[str]] = {"national_code": set(), "rfid": set()}
    parsers = (
        ("species", cells.species),
        ("sex", cells.sex),
        ("origin", cells.origin),
        ("birth_date", lambda v: cells.date(v, today=today)),
        ("entry_date", lambda v: cells.date(v, today=today)),
    )
    memo: dict[tuple[str, str], object] = {}
    text = functools.lru_cache(maxsize=4096)(cells.text)
    for offset, row in enumerate(rows):
        n = first_row + offset
        ok = True
        values = {}
        raw_tag = row.get("tag", "")
        try:
            key = cells.tag_key(cells.tag(raw_tag))
            keys[key[0]].add(key[1])
            values["key"] = key
        except cells.CellError as exc:
            _error(errors, n, "tag", raw_tag, exc.message)
            ok = False
        for column, parse in parsers:
            raw = row.get(column, "")
            # A herd list repeats a few values per column (an age group's birth date, the sex,
            # the origin) 100,000 times: each distinct one is parsed once (make bench,
            # animal_import_100k_s), its refusal kept as well as its value.
            found = memo.get((column, raw), _UNSEEN)
            if found is _UNSEEN:
                try:
                    found = parse(raw)
                except cells.CellError as exc:
                    found = exc
                memo[(column, raw)] = found
            if isinstance(found, cells.CellError):
                _error(errors, n, column, raw, found.message)
                ok = False
            else:
                values[column] = found
        pen = text(row.get("pen", ""))
        if pen and pen_set and pen not in pen_set:
            _error(errors, n, "pen", pen, format_lazy(PEN_UNKNOWN, pen=pen, pens="、".join(pens)))
            ok = False
        if ok:
            birth, entry = values["birth_date"], values["entry_date"]
            if not birth and not entry:
                _error(errors, n, "birth_date", "", DATE_MISSING)
                ok = False
            elif birth and entry and entry < birth:
                _error(
                    errors,
                    n,
                    "entry_date",
                    str(entry),
                    format_lazy(ENTRY_BEFORE_BIRTH, entry=entry, birth=birth),
                )
                ok = False
        values.update(
            row=n,
            ok=ok,
            pen=pen,
            breed=text(row.get("breed", ""))[:60],
            origin_note=text(row.get("origin_note", ""))[:200],
        )
        parsed.append(values)

    found = _tags_lookup(keys)
    seen: dict[int, int] = {}
    good = []
    for values in parsed:
        if "key" not in values:
            continue
        n, shown = values["row"], values["key"][1]
        tag = found.get(values["key"])
        if tag is None or tag["enterprise_id"] != farm.enterprise_id:
            _error(errors, n, "tag", shown, format_lazy(TAG_UNKNOWN, tag=shown))
            continue
        code = tag["national_code"]
        if tag["status"] == EarTag.Status.IN_USE or tag["status"] == EarTag.Status.REPLACED:
            _error(
                errors, n, "tag", shown, format_lazy(TAG_USED, tag=code, animal=tag["animal__national_code"])
            )
            continue
        if tag["status"] != EarTag.Status.AVAILABLE:
            status = EarTag.Status(tag["status"]).label
            _error(errors, n, "tag", shown, format_lazy(TAG_RETIRED, tag=code, status=status))
            continue
        if tag["id"] in seen:
            _error(errors, n, "tag", shown, format_lazy(REPEATED_IN_FILE, tag=code, row=seen[tag["id"]]))
            continue
        seen[tag["id"]] = n
        if tag["species"] != farm.species:
            _error(
                errors,
                n,
                "tag",
                shown,
                format_lazy(
                    TAG_SPECIES,
                    tag=code,
                    tag_species=species_label[tag["species"]],
                    farm_species=species_label[farm.species],
                ),
            )
            continue
        if values.get("species") and values["species"] != tag["species"]:
            _error(
                errors,
                n,
                "species",
                values["species"],
                format_lazy(
                    SPECIES_MISMATCH,
                    tag_species=species_label[tag["species"]],
                    species=species_label[values["species"]],
                ),
            )
            continue
        if values["ok"]:
            good.append(
                Row(
                    row=n,
                    tag_id=tag["id"],
                    national_code=code,
                    rfid=tag["rfid"],
                    species=tag["species"],
                    sex=values["sex"],
                    breed=values["breed"],
                    birth_date=values["birth_date"],
                    entry_date=values["entry_date"],
                    pen=values["pen"],
                    origin=values["origin"],
                    origin_note=values["origin_note"],
                )
            )
    errors.sort(key=lambda e: (e["row"], e["column"]))
    return good, errors


ANIMAL_FIELDS = (
    "farm",
    "enterprise",
    "tag",
    "national_code",
    "rfid",
    "species",
    "sex",
    "breed",
    "birth_date",
    "entry_date",
    "pen",
    "origin",
    "origin_note",
    "status",
    "last_seen_where",
    "imported_from",
    "registered_at",
    "registered_by",
)


def _insert(
    *, actor: User, farm: Farm, rows: list[Row], animal_import: AnimalImport | None = None
) -> list[int]:
    """Write the animals, mark their tags in use and append a 'registered' event each; return ids.

    The caller holds the transaction and a lock on the farm row (so that the animals written now
    are exactly those of the farm registered at ``now``).
    """
    now = timezone.now()
    today = timezone.localdate()
    import_id = animal_import.pk if animal_import else None
    animal = Animal._meta.db_table
    new_ids = None
    if connection.vendor == "postgresql":
        # The animals' ids taken from their sequence first and written with them: reading
        # 100,000 ids back after the COPY cost more than taking them (make bench,
        # animal_import_100k_s). The sequence is named once: pg_get_serial_sequence inside the
        # nextval was looked up again for every row (1.3 s for 100,000 ids, against 0.14 s).
        with connection.cursor() as cursor:
            # By its oid: a name given as text is looked up again for every row too.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [animal])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)", [int(sequence), len(rows)]
            )
            new_ids = [row[0] for row in cursor.fetchall()]
    insert_rows(
        Animal,
        ANIMAL_FIELDS if new_ids is None else ("id", *ANIMAL_FIELDS),
        (
            (
                *(() if new_ids is None else (new_ids[n],)),
                farm.pk,
                farm.enterprise_id,
                r.tag_id,
                r.national_code,
                r.rfid,
                r.species,
                r.sex,
                r.breed,
                r.birth_date,
                r.entry_date,
                r.pen,
                r.origin,
                r.origin_note,
                Animal.Status.ON_FARM,
                "",
                import_id,
                now,
                actor.pk,
            )
            for n, r in enumerate(rows)
        ),
    )
    if new_ids is None:
        ids = dict(Animal.objects.filter(farm=farm, registered_at=now).values_list("tag_id", "pk"))
    else:
        ids = {r.tag_id: pk for r, pk in zip(rows, new_ids, strict=True)}
    eartag = EarTag._meta.db_table
    in_use = [EarTag.Status.IN_USE, EarTag.Ear.LEFT, connection.ops.adapt_datefield_value(today)]
    with connection.cursor() as cursor:
        # One statement for the whole herd: the tags of the animals just written are now in use.
        # Only tags still available: a tag retired meanwhile leaves the count short (checked below).
        if new_ids is None:
            cursor.execute(
                f"UPDATE {eartag} SET status = %s, animal_id = a.id, ear = %s, applied_on = %s "
                f"FROM {animal} a WHERE a.tag_id = {eartag}.id AND a.farm_id = %s AND a.registered_at = %s "
                f"AND {eartag}.status = 'available' AND {eartag}.enterprise_id = %s",
                [*in_use, farm.pk, connection.ops.adapt_datetimefield_value(now), farm.enterprise_id],
            )
        else:
            # The pairs (tag, animal) as two arrays, written out as PostgreSQL's array text (a
            # Python dumper per element costs more): no look at the 100,000 animals just written.
            cursor.execute(
                f"UPDATE {eartag} SET status = %s, animal_id = u.animal, ear = %s, applied_on = %s "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS u(tag, animal) "
                f"WHERE {eartag}.id = u.tag AND {eartag}.status = 'available' "
                f"AND {eartag}.enterprise_id = %s",
                [
                    *in_use,
                    "{" + ",".join([str(r.tag_id) for r in rows]) + "}",
                    "{" + ",".join(map(str, new_ids)) + "}",
                    farm.enterprise_id,
                ],
            )
        if cursor.rowcount != len(rows):
            raise IntegrityError("a tag was taken out of use while the animals were written")
    happening = Happening(
        kind="registered",
        when=now,
        where=Where(farm_id=farm.pk),
        actor=actor,
        source=animal_import,
    )
    # Each event's details as JSON text (bulk.JsonText): the codes are checked digits, the pen
    # and the origin repeat and are encoded once each.
    text = functools.lru_cache(maxsize=1024)(json_text)
    flagged = ', "origin_flagged": true}'
    per_animal = {}
    for r in rows:
        per_animal[ids[r.tag_id]] = JsonText(
            f'{{"tag": {_code_json(r.national_code)}, "rfid": {_code_json(r.rfid)}, '
            f'"pen": {text(r.pen)}, "origin": {text(r.origin)}'
            + ("}" if r.origin == Animal.Origin.SELF_BRED else flagged)
        )
    events_append(happening=happening, animal_ids=[ids[r.tag_id] for r in rows], per_animal=per_animal)
    head_add(
        Counter(
            (farm.pk, r.species, Animal.Status.ON_FARM, r.origin != Animal.Origin.SELF_BRED) for r in rows
        )
    )
    return [ids[r.tag_id] for r in rows]


def _code_json(code: str) -> str:
    # A tag's code is checked digits (or hex); anything else is encoded in full.
    return f'"{code}"' if code.isascii() and code.isalnum() else json_text(code)


def _locked_farm(farm: Farm) -> Farm:
    return Farm.objects.select_for_update().get(pk=farm.pk)


def animal_register(*, actor: User, farm: Farm, data: dict) -> Animal:
    """Register one animal from a form (``data`` keyed as the herd list's columns)."""
    farm_check_keeper(actor=actor, farm=farm)
    rows, errors = animal_rows_check(farm=farm, rows=[data])
    if errors:
        first = errors[0]
        raise DomainError(first["error"], field=first["column"], items=errors)
    try:
        with transaction.atomic():
            farm = _locked_farm(farm)
            (pk,) = _insert(actor=actor, farm=farm, rows=rows)
    except IntegrityError as exc:
        raise DomainError(RACE, field="tag") from exc
    return Animal.objects.get(pk=pk)


def animals_import_check(*, actor: User, farm: Farm, file) -> AnimalImport:
    """Check an uploaded herd list in full and keep it for confirmation; write no animal yet.

    A file that cannot be read at all raises DomainError; a readable one is kept with its status
    (checked, or refused with the row-by-row errors) so that the preview can show either.
    """
    farm_check_keeper(actor=actor, farm=farm)
    table = tabular.read_table(
        file, columns=COLUMNS, required=REQUIRED_COLUMNS, max_rows=settings.LIVESTOCK_IMPORT_MAX_ROWS
    )
    rows, errors = animal_rows_check(farm=farm, rows=table.rows, first_row=table.first_row)
    file.seek(0)
    animal_import = AnimalImport(
        farm=farm,
        source_file=file,
        file_name=table.name[:200],
        status=AnimalImport.Status.REFUSED if errors else AnimalImport.Status.CHECKED,
        row_count=len(table.rows),
        errors=errors,
        uploaded_by=actor,
    )
    if not errors:
        checked = json.dumps([_row_out(r) for r in rows], separators=(",", ":"), ensure_ascii=False)
        animal_import.checked_rows.save("rows.json", ContentFile(checked.encode()), save=False)
    animal_import.save()
    return animal_import


def _row_out(r: Row) -> list:
    return [
        r.row, r.tag_id, r.national_code, r.rfid, r.species, r.sex, r.breed,
        r.birth_date.isoformat() if r.birth_date else None,
        r.entry_date.isoformat() if r.entry_date else None,
        r.pen, r.origin, r.origin_note,
    ]  # fmt: skip


_date_in = functools.lru_cache(maxsize=4096)(dt.date.fromisoformat)  # an age group shares its dates


def _row_in(values: list) -> Row:
    row = Row(*values)
    row.birth_date = _date_in(row.birth_date) if row.birth_date else None
    row.entry_date = _date_in(row.entry_date) if row.entry_date else None
    return row


def _recheck(farm: Farm, rows: list[Row], *, tags: bool = True) -> list[dict]:
    """What may have changed since the check: a pen removed, a tag used or retired meanwhile.

    ``tags=False`` checks the pens only (one query): the confirm leaves the tags to the write
    itself, which fails when one was taken (unique tag, and only available tags are marked in
    use), and asks again with ``tags=True`` only then, to name the rows.
    """
    errors: list[dict] = []
    free: set[int] = set()
    if tags:
        ids = [r.tag_id for r in rows]
        for start in range(0, len(ids), 10000):
            free.update(
                EarTag.objects.filter(
                    pk__in=ids[start : start + 10000],
                    status=EarTag.Status.AVAILABLE,
                    enterprise_id=farm.enterprise_id,
                ).values_list("pk", flat=True)
            )
    pens = farm_pens(farm)
    for r in rows:
        if tags and r.tag_id not in free:
            _error(
                errors, r.row, "tag", r.national_code, format_lazy(TAG_TAKEN_MEANWHILE, tag=r.national_code)
            )
        if r.pen and pens and r.pen not in pens:
            _error(errors, r.row, "pen", r.pen, format_lazy(PEN_UNKNOWN, pen=r.pen, pens="、".join(pens)))
    return errors


def animal_import_rows(animal_import: AnimalImport) -> list[dict]:
    """The rows of a kept herd list, read again from its file."""
    with animal_import.source_file.open("rb") as fh:
        return tabular.read_table(
            fh, columns=COLUMNS, required=REQUIRED_COLUMNS, max_rows=settings.LIVESTOCK_IMPORT_MAX_ROWS
        ).rows


def animals_import_confirm(*, actor: User, animal_import: AnimalImport) -> int:
    """Import a checked herd list: every row, checked again, or none. Return the animals added."""
    farm = animal_import.farm
    farm_check_keeper(actor=actor, farm=farm)
    if animal_import.status != AnimalImport.Status.CHECKED:
        raise DomainError(
            IMPORT_HAS_ERRORS if animal_import.status == AnimalImport.Status.REFUSED else IMPORT_DONE
        )
    with animal_import.checked_rows.open("rb") as fh:
        rows = [_row_in(values) for values in json.loads(fh.read())]
    errors = _recheck(farm, rows, tags=False)
    if not errors:
        try:
            with transaction.atomic():
                farm = _locked_farm(farm)
                locked = AnimalImport.objects.select_for_update().get(pk=animal_import.pk)
                if locked.status != AnimalImport.Status.CHECKED:
                    raise DomainError(IMPORT_DONE)
                _insert(actor=actor, farm=farm, rows=rows, animal_import=locked)
                locked.status = AnimalImport.Status.IMPORTED
                locked.imported_at = timezone.now()
                locked.save(update_fields=["status", "imported_at"])
        except IntegrityError as exc:
            # A tag was used or retired since the preview: nothing was written; name the rows.
            errors = _recheck(farm, rows)
            if not errors:
                raise DomainError(RACE) from exc
    if errors:
        # Something changed since the preview (a tag used meanwhile): keep the new errors.
        AnimalImport.objects.filter(pk=animal_import.pk).update(
            status=AnimalImport.Status.REFUSED, errors=errors
        )
        refused = ngettext_lazy(
            "Nothing was imported: {count} problem. Correct the row named below and upload the file again.",
            "Nothing was imported: {count} problems. Correct the rows named below and upload the file again.",
            len(errors),
        )
        raise DomainError(format_lazy(refused, count=len(errors)), items=errors)
    animal_import.refresh_from_db()
    return len(rows)


def animals_import_cancel(*, actor: User, animal_import: AnimalImport) -> None:
    farm_check_keeper(actor=actor, farm=animal_import.farm)
    updated = AnimalImport.objects.filter(
        pk=animal_import.pk, status__in=[AnimalImport.Status.CHECKED, AnimalImport.Status.REFUSED]
    ).update(status=AnimalImport.Status.CANCELLED)
    if not updated:
        raise DomainError(IMPORT_DONE)


def _check_on_farm(animal: Animal) -> None:
    if animal.status not in Animal.ON_FARM:
        raise DomainError(
            format_lazy(NOT_ON_FARM, animal=animal.national_code, status=animal.get_status_display())
        )


def animal_retag(
    *, actor: User, animal: Animal, new_tag: str, reason: str, old_tag_lost: bool = True
) -> Animal:
    """Put a replacement tag in the right ear; the old tag stays in the animal's history."""
    farm_check_keeper(actor=actor, farm=animal.farm)
    reason = cells.text(reason)
    if not reason:
        raise DomainError(RETAG_REASON, field="reason")
    try:
        key = cells.tag_key(cells.tag(new_tag))
    except cells.CellError as exc:
        raise DomainError(exc.message, field="new_tag", items=[new_tag]) from None
    with transaction.atomic():
        animal = Animal.objects.select_for_update().select_related("tag", "farm").get(pk=animal.pk)
        _check_on_farm(animal)
        tag = EarTag.objects.select_for_update().filter(**{key[0]: key[1]}).first()
        shown = key[1]
        if tag is None or tag.enterprise_id != animal.enterprise_id:
            raise DomainError(format_lazy(TAG_UNKNOWN, tag=shown), field="new_tag", items=[shown])
        if tag.pk == animal.tag_id:
            raise DomainError(RETAG_SAME, field="new_tag")
        if tag.status != EarTag.Status.AVAILABLE:
            message = (
                format_lazy(TAG_USED, tag=tag.national_code, animal=tag.animal.national_code)
                if tag.animal_id
                else format_lazy(TAG_RETIRED, tag=tag.national_code, status=tag.get_status_display())
            )
            raise DomainError(message, field="new_tag", items=[shown])
        if tag.species != animal.species:
            raise DomainError(
                format_lazy(
                    TAG_SPECIES,
                    tag=tag.national_code,
                    tag_species=tag.get_species_display(),
                    farm_species=animal.get_species_display(),
                ),
                field="new_tag",
            )
        today = timezone.localdate()
        old = animal.tag
        old.status = EarTag.Status.REPLACED
        old.retired_on = today
        old.retired_reason = reason[:200]
        old.save(update_fields=["status", "retired_on", "retired_reason"])
        tag.status, tag.animal, tag.ear, tag.applied_on = (
            EarTag.Status.IN_USE,
            animal,
            EarTag.Ear.RIGHT,
            today,
        )
        tag.save(update_fields=["status", "animal", "ear", "applied_on"])
        animal.tag, animal.national_code, animal.rfid = tag, tag.national_code, tag.rfid
        animal.save(update_fields=["tag", "national_code", "rfid"])
        events_append(
            happening=Happening(
                kind="retagged",
                when=timezone.now(),
                where=Where(farm_id=animal.farm_id, pen=animal.pen),
                actor=actor,
                source=source_of(tag),
                data={
                    "old_tag": old.national_code,
                    "old_rfid": old.rfid,
                    "tag": tag.national_code,
                    "rfid": tag.rfid,
                    "reason": reason,
                },
            ),
            animal_ids=[animal.pk],
        )
    return animal


def animal_update(*, actor: User, animal: Animal, data: dict) -> Animal:
    """Correct an animal's details or move it to another pen; each change is an event."""
    farm_check_keeper(actor=actor, farm=animal.farm)
    today = timezone.localdate()
    changes, field_errors = {}, []
    parsers = {
        "sex": cells.sex,
        "breed": lambda v: cells.text(v)[:60],
        "birth_date": lambda v: cells.date(v, today=today),
        "entry_date": lambda v: cells.date(v, today=today),
        "pen": cells.text,
        "origin": cells.origin,
        "origin_note": lambda v: cells.text(v)[:200],
    }
    for name, parse in parsers.items():
        if name in data:
            try:
                changes[name] = parse(data[name] if isinstance(data[name], str) else str(data[name] or ""))
            except cells.CellError as exc:
                field_errors.append((name, exc.message))
    if field_errors:
        raise DomainError(field_errors[0][1], field=field_errors[0][0])
    pens = farm_pens(animal.farm)
    if changes.get("pen") and pens and changes["pen"] not in pens:
        raise DomainError(format_lazy(PEN_UNKNOWN, pen=changes["pen"], pens="、".join(pens)), field="pen")
    birth = changes.get("birth_date", animal.birth_date)
    entry = changes.get("entry_date", animal.entry_date)
    if not birth and not entry:
        raise DomainError(DATE_MISSING, field="birth_date")
    with transaction.atomic():
        animal = Animal.objects.select_for_update().get(pk=animal.pk)
        _check_on_farm(animal)
        before = {name: getattr(animal, name) for name in changes}
        changed = {n: v for n, v in changes.items() if before[n] != v}
        if not changed:
            return animal
        if "origin" in changed:
            head_move([animal], flagged=changed["origin"] != Animal.Origin.SELF_BRED)
        for name, value in changed.items():
            setattr(animal, name, value)
        animal.save(update_fields=list(changed))
        herd_changed([animal.farm_id])
        now = timezone.now()
        if "pen" in changed:
            events_append(
                happening=Happening(
                    kind="moved",
                    when=now,
                    where=Where(farm_id=animal.farm_id, pen=animal.pen),
                    actor=actor,
                    data={"from": before["pen"], "to": animal.pen},
                ),
                animal_ids=[animal.pk],
            )
        rest = {n: v for n, v in changed.items() if n != "pen"}
        if rest:
            events_append(
                happening=Happening(
                    kind="updated",
                    when=now,
                    where=Where(farm_id=animal.farm_id, pen=animal.pen),
                    actor=actor,
                    data={"changes": {n: [str(before[n] or ""), str(v or "")] for n, v in rest.items()}},
                ),
                animal_ids=[animal.pk],
            )
    return animal
