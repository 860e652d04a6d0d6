"""The pages: declare (refused, then accepted), the bureau's actions, the PDF, public verification."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from quarantine.models import Certificate, Consignment
from quarantine.pdf import verify_url
from tests.conftest import need_postgresql

from .factories import all_ok, declare, farm_a, negative_rows, port, ready_herd, through
from .factories import today as today_

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(world):
    return farm_a(world)


def form_data(world, farm, tags, **overrides):
    today = today_()
    data = {
        "farm": farm.pk,
        "species": farm.species,
        "tags": "\n".join(tags),
        "head_count": len(tags),
        "planned_loading_on": (today + dt.timedelta(days=1)).isoformat(),
        "isolation_started_on": (today - dt.timedelta(days=16)).isoformat(),
        "exit_port": port(world).pk,
        "consignee": "五丰行",
        "destination": "上水屠房",
        "contact_name": "陈经理",
        "contact_phone": "13800000000",
    }
    data.update(overrides)
    return data


def test_the_declaration_form_lists_every_problem_then_declares(world, farm, client_for):
    animals = ready_herd(world, farm, range(1, 6))
    client = client_for(world.ent_a_staff)
    url = reverse("portal_enterprise:consignment_declare")
    assert client.get(url + f"?farm={farm.pk}").status_code == 200
    tags = [a.national_code for a in animals]
    response = client.post(url, form_data(world, farm, [*tags, tags[0]], head_count=9))
    assert response.status_code == 200
    problems = response.context["problems"]
    assert {p.rule for p in problems} == {"duplicates", "head_count"}
    assert tags[0] in response.content.decode()
    assert not Consignment.objects.exists()
    # Picked from the herd instead of pasted.
    response = client.post(url, {**form_data(world, farm, [], head_count=5), "pick": tags})
    consignment = Consignment.objects.get()
    assert response.status_code == 302 and consignment.items.count() == 5
    page = client.get(reverse("portal_enterprise:consignment_detail", args=[consignment.pk]))
    assert consignment.number in page.content.decode()


def test_the_lists_stay_within_their_queries(world, farm, client_for, django_assert_max_num_queries):
    for n in range(3):
        declare(world, farm, ready_herd(world, farm, range(10 * n + 1, 10 * n + 3)))
    client = client_for(world.ent_a_staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal_enterprise:consignment_list")).status_code == 200
    client = client_for(world.insp_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal_ciq:consignment_queue"))
    assert len(response.context["consignments"]) == 3


def test_the_bureau_takes_it_to_a_certificate_and_the_public_verifies_it(world, farm, client_for):
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 4)))
    inspector = client_for(world.insp_a)

    def post(name, data=None, client=inspector):
        response = client.post(reverse(f"portal_ciq:{name}", args=[consignment.pk]), data or {})
        assert response.status_code == 302
        consignment.refresh_from_db()

    post("consignment_accept")
    post("consignment_examine", {f"item-{pk}": "ok" for pk in all_ok(consignment)})
    post("consignment_sample")
    assert consignment.status == "sampled"
    lab = client_for(world.lab)
    rows = negative_rows(consignment)
    samples = {s.number: s.pk for s in consignment.samples.all()}
    post(
        "consignment_results",
        {f"r-{samples[r['sample']]}-{r['analyte']}": r["result"] for r in rows},
        client=lab,
    )
    assert consignment.status == "results_in"
    inspector = client_for(world.insp_a)
    post("consignment_approve", {"capacity": "官方兽医"})
    certificate = Certificate.objects.get(consignment=consignment)
    pdf = inspector.get(reverse("portal_ciq:certificate_pdf", args=[consignment.pk, certificate.number]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    anonymous = client_for(None)
    page = anonymous.get(
        reverse("certificate_verify"), {"number": certificate.number, "token": certificate.token}
    )
    assert page.context["check"].state == "valid"
    assert "五丰行" not in page.content.decode()  # nothing private
    qr_path = "/" + verify_url(certificate).split("/", 3)[3]
    assert anonymous.get(qr_path).context["check"].state == "valid"
    assert (
        anonymous.get(
            reverse("certificate_verify"), {"number": certificate.number, "token": "WRONG"}
        ).status_code
        == 404
    )
    forged = certificate.qr_payload[:-3] + ("AAA" if not certificate.qr_payload.endswith("AAA") else "BBB")
    assert anonymous.get(f"/V/{forged}").status_code == 400
    keys = anonymous.get(reverse("certificate_keys")).json()
    assert keys["keys"][0]["kid"] == certificate.key_id

    inspector = client_for(world.insp_a)  # one test client: logging in again after the public visits
    post_void = inspector.post(
        reverse("portal_ciq:certificate_void", args=[consignment.pk, certificate.number]),
        {"reason": "车辆故障"},
    )
    assert post_void.status_code == 302
    assert anonymous.get(qr_path).context["check"].state == "void"


def test_a_tampered_certificate_says_so_everywhere(world, farm, client_for):
    need_postgresql("the SQL is PostgreSQL's")
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 4)))
    certificate = through(world, consignment, "approve")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quarantine_certificate SET valid_until = valid_until + 60 WHERE id = %s", [certificate.pk]
        )
    anonymous = client_for(None)
    page = anonymous.get(
        reverse("certificate_verify"), {"number": certificate.number, "token": certificate.token}
    )
    assert page.context["check"].state == "altered"
    qr_path = "/" + verify_url(certificate).split("/", 3)[3]
    assert anonymous.get(qr_path).context["check"].state == "altered"
    inspector = client_for(world.insp_a)
    detail = inspector.get(reverse("portal_ciq:consignment_detail", args=[consignment.pk]))
    assert 'data-state="altered"' in detail.content.decode()
    pdf = inspector.get(reverse("portal_ciq:certificate_pdf", args=[consignment.pk, certificate.number]))
    assert pdf.status_code == 200


def test_the_verification_page_is_rate_limited(world, client_for, settings):
    from django.core.cache import cache

    cache.clear()
    settings.QUARANTINE_VERIFY_LIMIT = 2
    anonymous = client_for(None)
    for _ in range(2):
        assert (
            anonymous.get(reverse("certificate_verify"), {"number": "HC1", "token": "X"}).status_code == 404
        )
    assert anonymous.get(reverse("certificate_verify"), {"number": "HC1", "token": "X"}).status_code == 429
    cache.clear()


def test_the_sample_labels_hold_each_sample_as_barcode_text_and_qr(world, client_for, tmp_path):
    import subprocess

    farm = farm_a(world)
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 4)))
    through(world, consignment, "sample")
    url = reverse("portal_ciq:sample_labels", args=[consignment.pk])
    response = client_for(world.insp_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    (tmp_path / "labels.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "labels.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for sample in consignment.samples.all():
        assert sample.number in text and sample.national_code in text
    assert consignment.number in text and "血样" in text
    # Not yet sampled: no labels to print.
    other = declare(world, farm, ready_herd(world, farm, range(11, 13)))
    labels = reverse("portal_ciq:sample_labels", args=[other.pk])
    assert client_for(world.insp_a).get(labels).status_code == 404


def test_the_declaration_takes_the_tags_read_on_the_enterprises_own_reader(world, farm, client_for):
    from decimal import Decimal

    from django.utils import timezone

    from farms.models import Farm
    from livestock.models import TagRead
    from livestock.services.devices import device_register
    from tests.farms.factories import BOLUO, registered_farm

    animals = ready_herd(world, farm, range(1, 4))
    chute = device_register(actor=world.insp_a, code="q-chute", name="通道读卡器", farm=farm)
    now = timezone.now()
    stranger = "156240000999999"
    reads = [(a.rfid, a) for a in animals] + [(animals[0].rfid, animals[0]), (stranger, None)]
    for seq, (rfid, animal) in enumerate(reads, start=1):
        TagRead.objects.create(
            device=chute, seq=seq, tag=rfid, read_at=now, received_at=now, raw=rfid, animal=animal
        )
    # An old read is not taken.
    TagRead.objects.create(
        device=chute, seq=99, tag="156240000888888", read_at=now - dt.timedelta(hours=2), received_at=now
    )
    client = client_for(world.ent_a_staff)
    url = reverse("portal_enterprise:consignment_declare")
    response = client.post(url, {**form_data(world, farm, [], head_count=4), "reader": chute.pk})
    problems = {p.rule: p for p in response.context["problems"]}
    # The stranger's tag is named; the animal read twice is listed once (4 different tags).
    assert set(problems) == {"not_on_record"} and problems["not_on_record"].tags == [stranger]
    assert "888888" not in response.content.decode()
    TagRead.objects.filter(tag=stranger).delete()
    response = client.post(url, {**form_data(world, farm, [], head_count=3), "reader": chute.pk})
    consignment = Consignment.objects.get()
    assert response.status_code == 302
    assert sorted(consignment.items.values_list("national_code", flat=True)) == sorted(
        a.national_code for a in animals
    )
    # Another enterprise's reader is not among the choices: refused, nothing declared.
    theirs = registered_farm(
        world, name_zh="湘润二场", name_en="Xiangrun Farm No. 2", latitude=BOLUO["latitude"] + Decimal("0.05")
    )
    Farm.objects.filter(pk=theirs.pk).update(enterprise=world.ent_b)
    other = device_register(actor=world.insp_a, code="q-other", name="他场读卡器", farm=theirs)
    response = client_for(world.ent_a_staff).post(
        url, {**form_data(world, farm, [a.national_code for a in animals], head_count=3), "reader": other.pk}
    )
    assert response.status_code == 200 and "reader" in response.context["form"].errors
    assert Consignment.objects.count() == 1
