"""The signed certificate: verification, tampering, the QR code offline, rotation, the PDF."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from accounts.errors import DomainError
from quarantine import compact, keys, services
from quarantine.models import Certificate, SignedRecordError
from quarantine.pdf import certificate_pdf, verify_url
from quarantine.selectors import certificate_check
from tests.conftest import need_postgresql

from .factories import declare, farm_a, ready_herd, through

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(world):
    farm = farm_a(world)
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 13)))
    return through(world, consignment, "approve")


def fresh(certificate) -> Certificate:
    return Certificate.objects.get(pk=certificate.pk)


def test_a_new_certificate_verifies_and_is_valid(certificate):
    check = certificate_check(fresh(certificate))
    assert check.intact and check.state == "valid"
    assert certificate.content["head_count"] == 12 and len(certificate.content["tags"]) == 12
    assert certificate.key_id == keys.current_key_id()


def test_a_signed_certificate_refuses_to_change_through_the_orm(certificate):
    certificate.valid_until += dt.timedelta(days=30)
    with pytest.raises(SignedRecordError):
        certificate.save()
    with pytest.raises(SignedRecordError):
        certificate.save(update_fields=["valid_until"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE quarantine_certificate SET valid_until = valid_until + 30 WHERE id = %s",
        "UPDATE quarantine_certificate SET signer_name = 'Mallory' WHERE id = %s",
        "UPDATE quarantine_consignmentanimal SET national_code = '144132200009999' WHERE id = "
        "(SELECT MIN(ca.id) FROM quarantine_consignmentanimal ca JOIN quarantine_certificate c "
        "ON c.consignment_id = ca.consignment_id WHERE c.id = %s)",
    ],
    ids=["validity", "signer", "a tag"],
)
def test_changing_the_database_behind_its_back_is_detected(certificate, sql):
    need_postgresql("the SQL is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(sql, [certificate.pk])
    check = certificate_check(fresh(certificate))
    assert check.state == "altered" and check.problems


def test_changing_the_signed_content_itself_breaks_the_signature(certificate):
    content = dict(certificate.content, head_count=99)
    Certificate.objects.filter(pk=certificate.pk).update(content=content)
    check = certificate_check(fresh(certificate))
    assert check.state == "altered"
    assert any("signature" in str(p) for p in check.problems)


def test_void_and_replace_keep_the_old_one_verifiable(world, certificate):
    with pytest.raises(DomainError, match="reason"):
        services.certificate_void(actor=world.insp_a, certificate=certificate, reason=" ")
    new = services.certificate_replace(actor=world.insp_a, certificate=certificate, reason="装运推迟")
    assert (
        new.replaces == certificate
        and new.number.endswith("-2")
        and new.content["replaces"] == certificate.number
    )
    assert certificate_check(fresh(certificate)).state == "replaced"
    assert certificate_check(fresh(new)).state == "valid"
    services.certificate_void(actor=world.insp_a, certificate=new, reason="车辆故障")
    assert certificate_check(fresh(new)).state == "void"
    with pytest.raises(DomainError, match="already voided"):
        services.certificate_void(actor=world.insp_a, certificate=new, reason="again")


def test_an_expired_certificate_says_so(certificate):
    later = certificate.valid_until + dt.timedelta(days=1)
    assert certificate_check(fresh(certificate), today=later).state == "expired"


def test_the_qr_payload_verifies_offline_and_a_forged_one_does_not(certificate, tmp_path):
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps(keys.published()))
    url = verify_url(certificate)
    assert url.startswith(settings.SITE_URL.upper()) and "/V/" in url
    run = subprocess.run(
        [sys.executable, "-m", "quarantine.verify", url, "--keys", str(key_file)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert certificate.number in run.stdout and "12" in run.stdout
    # One character changed anywhere in the payload: refused.
    payload = certificate.qr_payload
    forged = payload[:20] + ("A" if payload[20] != "A" else "B") + payload[21:]
    with pytest.raises(compact.PayloadError):
        compact.payload_verify(forged, compact.keys_from_jwks(keys.published()))
    run = subprocess.run(
        [sys.executable, "-m", "quarantine.verify", forged, "--keys", str(key_file)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert run.returncode == 2 and "NOT VALID" in run.stdout


def test_a_payload_of_another_key_is_refused(certificate):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    essentials, _data, _sig = compact.payload_read(certificate.qr_payload)
    forged = compact.payload_encode(essentials, Ed25519PrivateKey.generate())
    with pytest.raises(compact.PayloadError, match="signature"):
        compact.payload_verify(forged, compact.keys_from_jwks(keys.published()))


def test_a_rotated_key_keeps_old_certificates_verifying(world, certificate, tmp_path):
    old_public = compact.b64url(compact.public_raw(keys.signing_key().public_key()))
    new_key = tmp_path / "new.pem"
    try:
        with override_settings(
            QUARANTINE_SIGNING_KEY_FILE=str(new_key), QUARANTINE_RETIRED_PUBLIC_KEYS=[old_public]
        ):
            keys.signing_key.cache_clear()
            assert keys.current_key_id() != certificate.key_id
            published = keys.published()
            assert [k["status"] for k in published["keys"]] == ["current", "retired"]
            assert certificate_check(fresh(certificate)).state == "valid"
        with override_settings(QUARANTINE_SIGNING_KEY_FILE=str(new_key), QUARANTINE_RETIRED_PUBLIC_KEYS=[]):
            keys.signing_key.cache_clear()
            assert certificate_check(fresh(certificate)).state == "altered"
    finally:
        keys.signing_key.cache_clear()


def test_the_pdf_holds_the_tags_and_the_chinese_title(certificate, tmp_path):
    pdf = certificate_pdf(fresh(certificate))
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "动物卫生证书" in text and "ANIMAL HEALTH CERTIFICATE" in text
    for tag in certificate.content["tags"]:
        assert tag in text
    assert certificate.number in text and "施封号" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts  # embedded


def test_the_pdf_of_a_large_consignment_runs_to_more_pages(world, tmp_path):
    farm = farm_a(world)
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 301)))
    certificate = through(world, consignment, "approve")
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(fresh(certificate)))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(info.split("Pages:")[1].split()[0]) >= 2
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert consignment.items.order_by("-national_code").first().national_code in text
