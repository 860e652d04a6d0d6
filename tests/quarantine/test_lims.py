"""The LIMS CSV import: checked in full first, then all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.errors import DomainError
from quarantine import services
from quarantine.models import LabResult

from .factories import declare, farm_a, negative_rows, ready_herd, through

pytestmark = pytest.mark.django_db


def csv_of(rows, header=("样品编号", "检测项目", "结果"), encoding="utf-8") -> SimpleUploadedFile:
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for r in rows:
        out.write(f"{r['sample']},{r['analyte']},{r['result']}\n")
    return SimpleUploadedFile("lims.csv", out.getvalue().encode(encoding), content_type="text/csv")


@pytest.fixture
def sampled(world):
    farm = farm_a(world)
    first = declare(world, farm, ready_herd(world, farm, range(1, 4)))
    second = declare(world, farm, ready_herd(world, farm, range(11, 14)))
    for c in (first, second):
        through(world, c, "sample")
    return first, second


def test_a_file_of_two_consignments_is_imported_whole(world, sampled):
    rows = [r for c in sampled for r in negative_rows(c)]
    parsed = services.lims_parse(csv_of(rows, encoding="gb18030"))
    preview = services.lims_check(actor=world.lab, rows=parsed)
    assert preview.ok and len(preview.consignments) == 2
    assert not LabResult.objects.exists()  # the preview writes nothing
    services.lims_import(actor=world.lab, rows=parsed)
    for c in sampled:
        c.refresh_from_db()
        assert c.status == "results_in"
    assert set(LabResult.objects.values_list("source", flat=True)) == {"lims"}


def test_unknown_samples_and_bad_values_are_named_and_nothing_is_written(world, sampled):
    rows = [r for c in sampled for r in negative_rows(c)]
    rows[0] = {**rows[0], "result": "n/a"}
    rows.append({"sample": "QD19990101-000001-S001", "analyte": "clenbuterol", "result": "0.1"})
    preview = services.lims_check(actor=world.lab, rows=services.lims_parse(csv_of(rows)))
    text = " ".join(str(p) for p in preview.problems)
    assert not preview.ok and "QD19990101-000001-S001" in text and "n/a" in text
    with pytest.raises(DomainError):
        services.lims_import(actor=world.lab, rows=services.lims_parse(csv_of(rows)))
    assert not LabResult.objects.exists()


def test_a_file_without_the_columns_is_refused(world):
    with pytest.raises(DomainError, match="no column"):
        services.lims_parse(csv_of([], header=("a", "b", "c")))


def test_the_import_page_previews_then_imports(world, sampled, client_for):
    rows = [r for c in sampled for r in negative_rows(c)]
    client = client_for(world.lab)
    url = reverse("portal_ciq:lims_import")
    response = client.post(url, {"file": csv_of(rows)})
    assert response.status_code == 200 and response.context["preview"].ok
    assert not LabResult.objects.exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert LabResult.objects.count() == len(rows)


def test_a_laboratory_attached_to_another_branch_is_refused_by_sample_and_writes_nothing(world, sampled):
    """A result for a sample of another branch: the rows named, nothing written, the queue and
    the consignment's page out of the analyst's sight."""
    from accounts.models import Organisation
    from quarantine.selectors import consignment_list_for_user

    lab = world.lab.organisation
    lab.branch = world.insp_b.organisation  # the lab now serves Hunan; the consignments are Huizhou's
    lab.save()
    world.lab.organisation.refresh_from_db()
    rows = [r for c in sampled for r in negative_rows(c)]
    preview = services.lims_check(actor=world.lab, rows=services.lims_parse(csv_of(rows)))
    text = " ".join(str(p) for p in preview.problems)
    assert not preview.ok and len(preview.problems) == 2
    assert sampled[0].number in text and rows[0]["sample"] in text
    assert str(world.insp_b.organisation) in text  # the branch it serves, named
    with pytest.raises(DomainError):
        services.lims_import(actor=world.lab, rows=services.lims_parse(csv_of(rows)))
    with pytest.raises(DomainError):
        services.lab_results_record(actor=world.lab, consignment=sampled[0], rows=negative_rows(sampled[0]))
    assert not LabResult.objects.exists()
    assert not consignment_list_for_user(user=world.lab).exists()
    # Attached to the consignments' own branch, the same file goes in whole.
    lab.branch = Organisation.objects.get(pk=sampled[0].branch_id)
    lab.save()
    world.lab.organisation.refresh_from_db()
    assert consignment_list_for_user(user=world.lab).count() == 2
    services.lims_import(actor=world.lab, rows=services.lims_parse(csv_of(rows)))
    assert LabResult.objects.filter(source="lims").count() == len(rows)
