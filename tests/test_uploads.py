"""Images whose header declares a huge size (decompression bombs) are refused on every upload.

A PNG of under a hundred bytes can declare 50,000 × 50,000 pixels; Pillow then raised
DecompressionBombError inside accounts.uploads.upload_check, and every page taking an image
answered 500. Each upload of the system is tried here with one: a clear, translated message
naming the file, nothing stored.
"""

import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy

from accounts.errors import DomainError
from accounts.uploads import FILE_TOO_MANY_PIXELS, upload_check
from farms.models import FarmAttachment, MessageAttachment, Question, ReferenceDocument, VisitPhoto
from farms.selectors_supervision import checklist_template_for
from farms.services import desk
from farms.supervision_defaults import checklist_templates_ensure, grade_policies_ensure
from tests.farms.factories import draft_farm, registered_farm
from tests.farms.test_supervision_pages import visit_post

pytestmark = pytest.mark.django_db


def png(width: int, height: int, name: str = "bomb.png") -> SimpleUploadedFile:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels (the data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
    return SimpleUploadedFile(name, body + chunk(b"IEND", b""), content_type="image/png")


def message(name="bomb.png", language="en") -> str:
    with translation.override(language):
        return str(format_lazy(FILE_TOO_MANY_PIXELS, name=name, limit=80))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("size", [(50_000, 50_000), (10_000, 8_500), (65_535, 65_535)])
def test_upload_check_refuses_a_bomb(size):
    with pytest.raises(DomainError) as refused:
        upload_check(png(*size))
    with translation.override("en"):
        assert str(refused.value) == message() and refused.value.items == ["bomb.png"]


def test_a_large_real_photo_passes_and_the_limit_is_a_setting():
    assert upload_check(png(6000, 4000)).content_type == "image/png"
    with override_settings(UPLOAD_MAX_MEGAPIXELS=20), pytest.raises(DomainError):
        upload_check(png(6000, 4000))


def bomb_everywhere(world):
    """(who, url, data, model whose rows must not grow) for every form that takes an image."""
    farm = draft_farm(world)
    question = desk.question_ask(actor=world.ent_a_staff, subject="隔离期", body="多少天？", files=[])
    checklist_templates_ensure()
    grade_policies_ensure()
    registered = registered_farm(world, name_zh="华丰二场", latitude=farm.latitude + Decimal("0.01"))
    return [
        (
            world.ent_a_staff,
            reverse("portal_enterprise:farm_attachment_add", args=[farm.pk]),
            {"kind": "layout_plan", "file": png(50_000, 50_000)},
            FarmAttachment,
        ),
        (
            world.ent_a_staff,
            reverse("portal_enterprise:question_create"),
            {"subject": "s", "body": "b", "files": [png(50_000, 50_000)]},
            Question,
        ),
        (
            world.insp_a,
            reverse("portal_ciq:question_detail", args=[question.pk]),
            {"body": "不少于15天。", "files": [png(50_000, 50_000)]},
            MessageAttachment,
        ),
        (
            world.manager,
            reverse("portal_ciq:library_add"),
            {"category": "standard", "title": "规程", "file": png(50_000, 50_000)},
            ReferenceDocument,
        ),
        (
            world.insp_a,
            reverse("portal_ciq:visit_create") + f"?farm={registered.pk}",
            visit_post(checklist_template_for(farm=registered), **{"visit-photos": [png(50_000, 50_000)]}),
            VisitPhoto,
        ),
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_upload_refuses_a_bomb_with_a_translated_message(world, client_for, language):
    for user, url, data, model in bomb_everywhere(world):
        before = model.objects.count()
        client = client_for(user)
        client.cookies["django_language"] = language
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert message(language=language) in response.content.decode(), url
        assert model.objects.count() == before, url
