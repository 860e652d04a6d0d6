"""The declaration (报检): every rule checked in one pass, every failure naming its animals.

A refused declaration stores nothing and answers with all of its problems at once
(``DeclarationRefused.problems``): one per rule, each with the tags it concerns.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Organisation, User
from farms.models import Farm, Species
from livestock.models import Animal, EarTag
from livestock.selectors import animals_coverage
from livestock.services.cells import CellError, tag, tag_key
from livestock.services.events import Happening, Where
from livestock.services.export import animals_move
from surveillance.selectors import restriction_message, restrictions_for_farm

from ..models import Consignment, ConsignmentAnimal, ConsignmentStatusChange, ExportRule

REFUSED = _("The declaration was not accepted: {count} problem(s) to put right (nothing was saved).")
NOT_YOUR_FARM = _("This farm belongs to another enterprise.")
NOT_A_PORT = _("Choose the exit port from the list.")
FARM_NOT_ACTIVE = _("{farm} is “{status}”: only a registered farm may declare animals for export.")
WRONG_SPECIES_FARM = _("{farm} keeps {farm_species}, not {species}.")
LOADING_IN_PAST = _("The planned loading date {date} is in the past; give today or a later day.")
ISOLATION_IN_FUTURE = _("The isolation cannot start on {date}, a day still to come.")
NO_ANIMALS = _("List the animals' ear tags: pick them from the herd, paste or upload them.")
BAD_TAGS = _("Not ear tags: {tags}.")
DUPLICATES = _("Listed more than once: {tags}.")
NOT_ON_RECORD = _("Not animals of {farm} on record: {tags}.")
OTHER_FARM = _("Animals of another farm of yours ({farms}): {tags}.")
WRONG_SPECIES = _("Not {species}: {tags}.")
NOT_ALIVE = _("Dead or disposed of: {tags}.")
EXPORTED = _("Already exported (loaded, at the warehouse or released): {tags}.")
IN_OTHER = _("Already in another open consignment ({numbers}): {tags}.")
BLOCKED = _("Blocked for export after a positive lab result: {tags}.")
WITHDRAWAL = _("In a withdrawal period on the loading date {date}: {tags}.")
VACCINATION = _("Vaccination against {disease} not valid on the loading date {date}: {tags}.")
ISOLATION_SHORT = _(
    "Isolated for {days} days before loading; {species} must be isolated at least {required} days. "
    "Load on {earliest} or later."
)
ISOLATION_LATE = _("Came onto the farm after the isolation began ({date}), too late to be isolated: {tags}.")
HEAD_COUNT = _("The head count is {count}, but {listed} different tags are listed.")
RACE = _("Some of these animals were declared by someone else just now. Check the declaration again.")
TAGS_SHOWN = 30
TAGS_MORE = _("{tags} and {more} more")

# Rule names: what a test or an API client matches a problem on.
RULES = (
    "farm",
    "zone",
    "dates",
    "tags",
    "duplicates",
    "not_on_record",
    "other_farm",
    "species",
    "alive",
    "exported",
    "other_consignment",
    "blocked",
    "withdrawal",
    "vaccination",
    "isolation",
    "head_count",
)


@dataclass
class Problem:
    """One rule a declaration breaks: its name, the message, and the tags it concerns."""

    rule: str
    message: object
    tags: list[str] = field(default_factory=list)

    def __str__(self):
        return str(self.message)


class DeclarationRefused(DomainError):
    def __init__(self, problems: list[Problem]):
        super().__init__(format_lazy(REFUSED, count=len(problems)), items=[p.message for p in problems])
        self.problems = problems

    def rules(self) -> set[str]:
        return {p.rule for p in self.problems}


def _tags_text(tags: list[str]):
    tags = sorted(tags)
    if len(tags) <= TAGS_SHOWN:
        return "、".join(tags)
    return format_lazy(TAGS_MORE, tags="、".join(tags[:TAGS_SHOWN]), more=len(tags) - TAGS_SHOWN)


def _problem(problems, rule, message, tags=(), **kw):
    tags = list(tags)
    if tags:
        kw["tags"] = _tags_text(tags)
    problems.append(Problem(rule, format_lazy(message, **kw), tags))


@dataclass
class Declaration:
    """What the enterprise declares (the form's content)."""

    farm: Farm
    species: str
    tags: list[str]
    planned_loading_on: dt.date
    isolation_started_on: dt.date
    exit_port: Organisation
    consignee: str
    destination: str
    contact_name: str
    contact_phone: str
    head_count: int


def _resolve(tags: list[str], problems: list[Problem]) -> dict[str, Animal]:
    """Map each listed tag (as typed) to its animal; unreadable and duplicate tags become problems."""
    keys: dict[str, tuple[str, str]] = {}
    bad, seen, dupes = [], {}, []
    for text in tags:
        try:
            key = tag_key(tag(text))
        except CellError:
            bad.append(text)
            continue
        if key in seen:
            dupes.append(key[1])
            continue
        seen[key] = text
        keys[text] = key
    if bad:
        _problem(problems, "tags", BAD_TAGS, bad)
    if dupes:
        _problem(problems, "duplicates", DUPLICATES, sorted(set(dupes)))
    national = [v for k, v in keys.values() if k == "national_code"]
    rfids = [v for k, v in keys.values() if k == "rfid"]
    found = {}
    rows = Animal.objects.filter(national_code__in=national) | Animal.objects.filter(rfid__in=rfids)
    by_key = {}
    # Not the farm's building layout: a JSON document decoded once per animal row (600 for a
    # day's loading: a quarter of the declaration's time, make bench declare_600_ms).
    for animal in rows.select_related("farm").defer("farm__layout"):
        by_key[("national_code", animal.national_code)] = animal
        if animal.rfid:
            by_key[("rfid", animal.rfid)] = animal
    missing = {key: text for text, key in keys.items() if key not in by_key}
    if missing:
        # An earlier tag (since replaced) still names its animal.
        former = EarTag.objects.filter(
            national_code__in=[v for k, v in missing if k == "national_code"], animal__isnull=False
        ) | EarTag.objects.filter(rfid__in=[v for k, v in missing if k == "rfid"], animal__isnull=False)
        animals = {
            a.pk: a
            for a in Animal.objects.filter(pk__in=former.values("animal_id"))
            .select_related("farm")
            .defer("farm__layout")
        }
        for earlier in former:
            for key in (("national_code", earlier.national_code), ("rfid", earlier.rfid)):
                if key in missing and earlier.animal_id in animals:
                    by_key[key] = animals[earlier.animal_id]
    for text, key in keys.items():
        found[text] = by_key.get(key)
    return found


def declaration_check(*, actor: User, declaration: Declaration, today: dt.date | None = None) -> list[Animal]:
    """Check every rule at once; return the animals, or raise DeclarationRefused with all problems."""
    d = declaration
    today = today or timezone.localdate()
    farm = d.farm
    if farm.enterprise_id != actor.organisation_id or not actor.is_enterprise_user:
        raise DomainError(NOT_YOUR_FARM)
    if d.exit_port.kind != Organisation.Kind.PORT:
        raise DomainError(NOT_A_PORT, field="exit_port")
    problems: list[Problem] = []
    species_label = Species(d.species).label

    if farm.status not in Farm.ACTIVE:
        _problem(problems, "farm", FARM_NOT_ACTIVE, farm=farm.name, status=farm.get_status_display())
    if farm.species != d.species:
        _problem(
            problems,
            "farm",
            WRONG_SPECIES_FARM,
            farm=farm.name,
            farm_species=farm.get_species_display(),
            species=species_label,
        )
    for restriction in restrictions_for_farm(farm=farm):
        problems.append(Problem("zone", restriction_message(restriction, farm_name=farm.name)))
    if d.planned_loading_on < today:
        _problem(problems, "dates", LOADING_IN_PAST, date=d.planned_loading_on.isoformat())
    if d.isolation_started_on > today:
        _problem(problems, "dates", ISOLATION_IN_FUTURE, date=d.isolation_started_on.isoformat())

    tags = [t.strip() for t in d.tags if t and t.strip()]
    if not tags:
        problems.append(Problem("tags", NO_ANIMALS))
    resolved = _resolve(tags, problems)
    listed = [a for a in resolved.values() if a is not None]
    unknown = [text for text, a in resolved.items() if a is None or a.enterprise_id != farm.enterprise_id]
    if unknown:
        _problem(problems, "not_on_record", NOT_ON_RECORD, unknown, farm=farm.name)
    elsewhere = [a for a in listed if a.enterprise_id == farm.enterprise_id and a.farm_id != farm.pk]
    if elsewhere:
        names = "、".join(sorted({a.farm.name for a in elsewhere}))
        _problem(problems, "other_farm", OTHER_FARM, [a.national_code for a in elsewhere], farms=names)
    animals = [a for a in listed if a.farm_id == farm.pk]
    _check_animals(animals, d, problems, species_label)
    if animals:
        _check_health(animals, d, problems)
    _check_isolation(animals, d, problems, species_label)
    if tags and d.head_count != len(resolved):
        _problem(problems, "head_count", HEAD_COUNT, count=d.head_count, listed=len(resolved))
    if problems:
        raise DeclarationRefused(problems)
    return animals


def _check_animals(animals: list[Animal], d: Declaration, problems: list[Problem], species_label) -> None:
    def codes(condition):
        return [a.national_code for a in animals if condition(a)]

    S = Animal.Status
    if wrong := codes(lambda a: a.species != d.species):
        _problem(problems, "species", WRONG_SPECIES, wrong, species=species_label)
    if dead := codes(lambda a: a.status in (S.DEAD, S.DISPOSED)):
        _problem(problems, "alive", NOT_ALIVE, dead)
    if gone := codes(lambda a: a.status in (S.IN_TRANSIT, S.AT_WAREHOUSE, S.RELEASED)):
        _problem(problems, "exported", EXPORTED, gone)
    held = dict(
        ConsignmentAnimal.objects.filter(animal__in=animals, holding=True).values_list(
            "animal_id", "consignment__number"
        )
    )
    if held:
        other = [a.national_code for a in animals if a.pk in held]
        _problem(
            problems, "other_consignment", IN_OTHER, other, numbers="、".join(sorted(set(held.values())))
        )
    if blocked := codes(lambda a: a.export_blocked_at is not None):
        _problem(problems, "blocked", BLOCKED, blocked)


def _check_health(animals: list[Animal], d: Declaration, problems: list[Problem]) -> None:
    on = d.planned_loading_on
    if in_withdrawal := [a.national_code for a in animals if a.export_blocked_until(on)]:
        _problem(problems, "withdrawal", WITHDRAWAL, in_withdrawal, date=on.isoformat())
    lacking: dict[int, tuple[object, list[str]]] = {}
    coverage = animals_coverage(animals=animals, on=on)
    for animal in animals:
        for cover in coverage[animal.pk]:
            if cover.state in ("missing", "overdue"):
                entry = lacking.setdefault(cover.requirement.pk, (cover.requirement, []))
                entry[1].append(animal.national_code)
    for requirement, codes in lacking.values():
        _problem(
            problems, "vaccination", VACCINATION, codes, disease=requirement.disease, date=on.isoformat()
        )


def _check_isolation(animals: list[Animal], d: Declaration, problems: list[Problem], species_label) -> None:
    rule = ExportRule.objects.filter(species=d.species).first()
    if rule is None or not rule.isolation_days:
        return
    days = (d.planned_loading_on - d.isolation_started_on).days
    if days < rule.isolation_days:
        earliest = d.isolation_started_on + dt.timedelta(days=rule.isolation_days)
        _problem(
            problems,
            "isolation",
            ISOLATION_SHORT,
            [a.national_code for a in animals],
            days=days,
            species=species_label,
            required=rule.isolation_days,
            earliest=earliest.isoformat(),
        )
    late = [a.national_code for a in animals if a.entry_date and a.entry_date > d.isolation_started_on]
    if late:
        _problem(problems, "isolation", ISOLATION_LATE, late, date=d.isolation_started_on.isoformat())


def _number(consignment: Consignment) -> str:
    return f"QD{timezone.localdate():%Y%m%d}-{consignment.pk:06d}"


@transaction.atomic
def consignment_declare(
    *, actor: User, declaration: Declaration, copied_from: Consignment | None = None
) -> Consignment:
    """Declare a consignment: check every rule in one pass, then hold its animals for export."""
    d = declaration
    animals = declaration_check(actor=actor, declaration=d)
    consignment = Consignment(
        number=f"new-{uuid.uuid4().hex[:16]}",  # until the row has its id
        enterprise_id=d.farm.enterprise_id,
        farm=d.farm,
        branch_id=d.farm.branch_id,
        species=d.species,
        planned_loading_on=d.planned_loading_on,
        isolation_started_on=d.isolation_started_on,
        exit_port=d.exit_port,
        consignee=d.consignee.strip(),
        destination=d.destination.strip(),
        contact_name=d.contact_name.strip(),
        contact_phone=d.contact_phone.strip(),
        head_count=d.head_count,
        copied_from=copied_from,
        declared_by=actor,
    )
    save_audited(consignment, actor=actor, reason=gettext_noop("Declared"))
    consignment.number = _number(consignment)
    Consignment.objects.filter(pk=consignment.pk).update(number=consignment.number)
    try:
        with transaction.atomic():
            ConsignmentAnimal.objects.bulk_create(
                [
                    ConsignmentAnimal(consignment=consignment, animal=a, national_code=a.national_code)
                    for a in animals
                ]
            )
    except IntegrityError:
        raise DomainError(RACE) from None
    ConsignmentStatusChange.objects.create(
        consignment=consignment, action="declare", from_status="", to_status=consignment.status, actor=actor
    )
    try:
        animals_move(
            action="declare",
            animal_ids=[a.pk for a in animals],
            happening=Happening(
                kind="declared",
                when=timezone.now(),
                where=Where(farm_id=d.farm.pk),
                actor=actor,
                source=consignment,
                data={"consignment": consignment.number},
            ),
        )
    except DomainError:
        raise DomainError(RACE) from None
    return consignment
