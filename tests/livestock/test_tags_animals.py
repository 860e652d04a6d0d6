"""Receiving tags and registering animals: every check refuses with its reason and writes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from livestock.models import Animal, AnimalImport, EarTag, Event, TagIssue
from livestock.services import animals as svc
from livestock.services import tags as tag_svc
from tests.farms.factories import registered_farm

from .factories import csv_file, herd, herd_file, issue_tags, national, rfid

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(world):
    return registered_farm(world)


def test_tag_issue_binds_national_code_to_rfid_in_any_form(world):
    from livestock.eartags import RfidCode

    code = RfidCode(156, 123456789012)
    rows = [
        [national(1), code.format_decimal()],
        [national(2), RfidCode(156, 2).format_full_hex()],
        [national(3), RfidCode(999, 3).format_dot_hex()],
    ]
    issue = tag_svc.tag_issue_import(
        actor=world.ent_a_staff, file=csv_file("t.csv", ["国家标识码", "电子标识号"], rows), supplier="耳标厂"
    )
    assert issue.tag_count == 3
    tags = {t.national_code: t for t in EarTag.objects.filter(issue=issue)}
    assert tags[national(1)].rfid == "156123456789012"
    assert tags[national(2)].rfid == "156000000000002"
    assert tags[national(3)].rfid == "999000000000003"
    assert all(
        t.status == "available" and t.enterprise == world.ent_a and t.species == "1" for t in tags.values()
    )


def test_tag_issue_refuses_the_whole_list_naming_each_bad_row(world):
    issue_tags(world.ent_a_staff, [50])
    rows = [
        [national(1), rfid(1)],
        ["12345", rfid(2)],  # too short
        [national(3), "ZZZ"],  # not an RFID
        [national(1), rfid(4)],  # repeated national code
        [national(50), rfid(5)],  # already issued
        ["199999900000001", rfid(6)],  # unknown county
    ]
    with pytest.raises(DomainError) as exc:
        tag_svc.tag_issue_import(
            actor=world.ent_a_staff, file=csv_file("t.csv", ["national_code", "rfid"], rows), supplier="x"
        )
    bad = {(e["row"], e["column"]) for e in exc.value.items}
    assert bad == {
        (3, "national_code"),
        (4, "rfid"),
        (5, "national_code"),
        (6, "national_code"),
        (7, "national_code"),
    }
    assert "Nothing was imported" in str(exc.value)
    assert TagIssue.objects.count() == 1 and EarTag.objects.count() == 1


def test_tag_issue_refuses_a_file_that_is_not_a_table(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError, match="neither a CSV"):
        tag_svc.tag_issue_import(
            actor=world.ent_a_staff, file=SimpleUploadedFile("x.csv", b"\x00\x01\x02binary"), supplier="x"
        )
    with pytest.raises(DomainError, match="lacks the column"):
        tag_svc.tag_issue_import(
            actor=world.ent_a_staff, file=csv_file("x.csv", ["foo", "bar"], [["1", "2"]]), supplier="x"
        )


def test_tag_issue_reads_excel(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["耳标号", "RFID"])
    sheet.append([int(national(7)), rfid(7)])
    out = io.BytesIO()
    book.save(out)
    issue = tag_svc.tag_issue_import(
        actor=world.ent_a_staff, file=SimpleUploadedFile("t.xlsx", out.getvalue()), supplier="x"
    )
    assert issue.tags.get().national_code == national(7)


def test_bulk_import_previews_then_imports_all(world, farm):
    issue_tags(world.ent_a_staff, range(1, 11))
    check = svc.animals_import_check(actor=world.ent_a_staff, farm=farm, file=herd_file(range(1, 11)))
    assert check.status == AnimalImport.Status.CHECKED and check.row_count == 10
    assert not Animal.objects.exists()  # the preview writes no animal
    assert svc.animals_import_confirm(actor=world.ent_a_staff, animal_import=check) == 10
    animals = list(Animal.objects.filter(farm=farm))
    assert len(animals) == 10
    assert all(a.tag.status == "in_use" and a.tag.animal_id == a.pk and a.rfid == a.tag.rfid for a in animals)
    events = Event.objects.filter(animal__in=animals)
    assert events.count() == 10
    event = events.first()
    assert (event.kind, event.type, event.action, event.biz_step) == (
        "registered",
        "ObjectEvent",
        "ADD",
        "commissioning",
    )
    assert event.biz_location == f"urn:hk-livestock:farm:{farm.pk}" and event.actor == world.ent_a_staff
    # The details are written as JSON text built from the checked row (bulk.JsonText): read back
    # as the same document a dict would have given.
    assert event.data == {
        "tag": event.animal.national_code,
        "rfid": event.animal.rfid,
        "pen": "1号猪舍",
        "origin": "self_bred",
    }
    with pytest.raises(DomainError, match="already been imported"):
        svc.animals_import_confirm(actor=world.ent_a_staff, animal_import=check)


def test_bulk_import_with_any_bad_row_imports_nothing_and_names_every_row(world, farm):
    issue_tags(world.ent_a_staff, range(1, 6))
    issue_tags(world.ent_b_staff, [90])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [
        [national(1), "female", "杜洛克", "2026-01-01", "1号猪舍", "自繁"],
        [national(2), "pony", "杜洛克", "2026-01-01", "1号猪舍", "自繁"],  # sex
        [national(3), "male", "杜洛克", future, "1号猪舍", "自繁"],  # future date
        [national(4), "male", "杜洛克", "2026-01-01", "9号猪舍", "自繁"],  # unknown pen
        [national(1), "male", "杜洛克", "2026-01-01", "1号猪舍", "自繁"],  # tag twice
        [national(90), "male", "杜洛克", "2026-01-01", "1号猪舍", "自繁"],  # another enterprise's tag
        [national(77), "male", "杜洛克", "2026-01-01", "1号猪舍", "自繁"],  # never issued
        ["1441322", "male", "杜洛克", "2026-01-01", "1号猪舍", "自繁"],  # malformed
        [national(5), "male", "杜洛克", "", "1号猪舍", "自繁"],  # no date at all
    ]
    file = csv_file("h.csv", ["耳标号", "性别", "品种", "出生日期", "圈舍", "来源"], rows)
    check = svc.animals_import_check(actor=world.ent_a_staff, farm=farm, file=file)
    assert check.status == AnimalImport.Status.REFUSED
    assert {(e["row"], e["column"]) for e in check.errors} == {
        (3, "sex"),
        (4, "birth_date"),
        (5, "pen"),
        (6, "tag"),
        (7, "tag"),
        (8, "tag"),
        (9, "tag"),
        (10, "birth_date"),
    }
    messages = " ".join(e["error"] for e in check.errors)
    assert "in the future" in messages and "not issued to your enterprise" in messages
    with pytest.raises(DomainError):
        svc.animals_import_confirm(actor=world.ent_a_staff, animal_import=check)
    assert not Animal.objects.exists()


def test_a_tag_marks_one_animal_ever(world, farm):
    (animal,) = herd(world.ent_a_staff, farm, [1])
    with pytest.raises(DomainError, match="already on animal"):
        svc.animal_register(
            actor=world.ent_a_staff,
            farm=farm,
            data={"tag": national(1), "sex": "male", "birth_date": "2026-01-01", "pen": "1号猪舍"},
        )
    issue_tags(world.ent_a_staff, [2])
    svc.animal_retag(actor=world.ent_a_staff, animal=animal, new_tag=rfid(2), reason="lost in a fight")
    animal.refresh_from_db()
    assert animal.national_code == national(2)
    old = EarTag.objects.get(national_code=national(1))
    assert old.status == "replaced" and old.animal == animal and old.retired_reason == "lost in a fight"
    assert EarTag.objects.get(national_code=national(2)).ear == "right"
    # The replaced tag can never mark another animal.
    with pytest.raises(DomainError, match="already on animal"):
        svc.animal_register(
            actor=world.ent_a_staff,
            farm=farm,
            data={"tag": national(1), "sex": "male", "birth_date": "2026-01-01"},
        )
    assert list(Event.objects.filter(animal=animal).values_list("kind", flat=True)) == [
        "registered",
        "retagged",
    ]


def test_register_one_by_rfid_read_and_flag_bought_in(world, farm):
    from livestock.eartags import RfidCode

    issue_tags(world.ent_a_staff, [3])
    word = RfidCode(156, 900_000_003).format_reversed_hex()  # as a bit-reversing reader prints it
    animal = svc.animal_register(
        actor=world.ent_a_staff,
        farm=farm,
        data={"tag": word, "sex": "公", "entry_date": "2026-05-01", "origin": "外购", "pen": "1号猪舍"},
    )
    assert animal.national_code == national(3) and animal.sex == "male" and animal.origin_flagged
    assert Event.objects.get(animal=animal).data["origin_flagged"] is True


def test_register_refuses_other_enterprise_and_species(world, farm):
    issue_tags(world.ent_a_staff, [4], species="2")  # a cattle tag, on a pig farm
    with pytest.raises(DomainError, match="tag for Cattle"):
        svc.animal_register(
            actor=world.ent_a_staff,
            farm=farm,
            data={"tag": national(4, "2"), "sex": "male", "birth_date": "2026-01-01"},
        )
    with pytest.raises(DomainError, match="another enterprise"):
        svc.animal_register(
            actor=world.ent_b_staff,
            farm=farm,
            data={"tag": national(4), "sex": "male", "birth_date": "2026-01-01"},
        )
    assert not Animal.objects.exists()


def test_update_and_move_are_events(world, farm):
    (animal,) = herd(world.ent_a_staff, farm, [1])
    svc.animal_update(actor=world.ent_a_staff, animal=animal, data={"breed": "长白", "sex": "castrated"})
    with pytest.raises(DomainError, match="not a pen"):
        svc.animal_update(actor=world.ent_a_staff, animal=animal, data={"pen": "nowhere"})
    kinds = list(Event.objects.filter(animal=animal).values_list("kind", "data"))
    assert kinds[-1][0] == "updated" and kinds[-1][1]["changes"]["breed"] == ["杜洛克", "长白"]


def test_confirm_refuses_a_tag_used_after_the_check_naming_its_row(world, farm):
    issue_tags(world.ent_a_staff, range(1, 4))
    check = svc.animals_import_check(actor=world.ent_a_staff, farm=farm, file=herd_file(range(1, 4)))
    assert check.status == AnimalImport.Status.CHECKED
    # Meanwhile a colleague registers one of the tags by hand.
    svc.animal_register(
        actor=world.ent_a_admin,
        farm=farm,
        data={"tag": national(2), "sex": "male", "birth_date": "2026-01-01"},
    )
    with pytest.raises(DomainError, match="Nothing was imported") as exc:
        svc.animals_import_confirm(actor=world.ent_a_staff, animal_import=check)
    assert [(e["row"], e["column"]) for e in exc.value.items] == [(3, "tag")]
    check.refresh_from_db()
    assert check.status == AnimalImport.Status.REFUSED
    assert Animal.objects.count() == 1


def test_event_details_written_as_text_read_back_as_the_encoder_s():
    """JsonText: what the import builds by hand is what the encoder would give, for any text."""
    import json

    from livestock.bulk import json_text
    from livestock.services.animals import _code_json

    for code in ("144132200000123", "156000900000003", 'ab"c\\', "x\ny", "１２３"):
        assert json.loads(_code_json(code)) == code and json.loads(json_text(code)) == code
