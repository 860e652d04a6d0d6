"""The desk in the browser: an enterprise asks with a photo, its branch answers, the enterprise reads it.

The e-mails are checked in tests/farms/test_desk.py; here only the pages.
"""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUBJECT = "隔离舍消毒池尺寸是否符合要求？"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (15, 118, 110)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def desk_world(demo_world, settings, tmp_path):
    from farms.desk_defaults import library_ensure, notices_ensure

    settings.MEDIA_ROOT = tmp_path
    library_ensure(demo_world.sysadmin)
    notices_ensure(demo_world.manager)
    return demo_world


def test_question_with_photo_is_answered_by_the_branch(new_context, login, desk_world, shot):
    clerk = new_context().new_page()
    login(clerk, "ent_a_staff")
    clerk.goto("/enterprise/desk/questions/")
    expect(clerk.get_by_test_id("questions-empty")).to_be_visible()
    clerk.get_by_test_id("question-create").click()
    expect(clerk).to_have_url(re.compile(r"/enterprise/desk/questions/new/$"))
    clerk.fill("#id_subject", SUBJECT)
    clerk.fill("#id_body", "我场隔离舍入口消毒池长3米、深0.2米，请问是否符合供港活猪注册要求？照片见附件。")
    photo = {"name": "消毒池.png", "mimeType": "image/png", "buffer": _png()}
    clerk.set_input_files("#id_files", files=[photo])
    shot(clerk, "ask")
    clerk.get_by_test_id("question-send").click()
    expect(clerk).to_have_url(re.compile(r"/enterprise/desk/questions/\d+/$"))
    expect(clerk.get_by_test_id("question-status")).to_have_attribute("data-status", "open")
    thumbnail = clerk.get_by_test_id("attachment").locator("img")
    expect(thumbnail).to_be_visible()
    assert clerk.evaluate("img => img.naturalWidth", thumbnail.element_handle()) == 320
    question_url = clerk.url

    # The other branch's inspector does not see it.
    other = new_context().new_page()
    login(other, "insp_hunan")
    other.goto("/bureau/desk/questions/")
    expect(other.locator("body")).not_to_contain_text(SUBJECT)

    inspector = new_context().new_page()
    login(inspector, "insp_huizhou")
    inspector.goto("/bureau/desk/questions/")
    row = inspector.get_by_test_id("queue").locator("tr", has_text=SUBJECT)
    expect(row.get_by_test_id("question-status")).to_have_attribute("data-status", "open")
    shot(inspector, "queue")
    row.get_by_role("link", name=SUBJECT).click()
    expect(inspector.get_by_test_id("attachment")).to_be_visible()
    inspector.fill("#id_body", "您场的尺寸符合要求。\n请保持消毒液有效浓度，按时更换并做好记录。")
    inspector.get_by_test_id("answer-send").click()
    expect(inspector.get_by_test_id("question-status")).to_have_attribute("data-status", "answered")
    expect(inspector.get_by_test_id("message")).to_have_count(2)
    shot(inspector, "answered")

    clerk.goto("/enterprise/desk/questions/")
    row = clerk.get_by_test_id("questions").locator("tr", has_text=SUBJECT)
    expect(row.get_by_test_id("question-status")).to_have_attribute("data-status", "answered")
    shot(clerk, "list-answered")
    clerk.goto(question_url)
    answer = clerk.get_by_test_id("message").filter(has_text="您场的尺寸符合要求")
    expect(answer).to_have_attribute("data-side", "bureau")
    shot(clerk, "thread")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_thread_and_library_screenshots(new_context, login, desk_world, shot, locale):
    from farms.services.desk import question_ask, question_reply

    world = desk_world
    question = question_ask(
        actor=world.ent_a_staff,
        subject=SUBJECT,
        body="我场隔离舍入口消毒池长3米、深0.2米，请问是否符合供港活猪注册要求？",
        files=[_upload("消毒池.png", _png())],
    )
    question_reply(actor=world.insp_a, question=question, body="符合要求。请按时更换消毒液并做好记录。")

    page = new_context(locale).new_page()
    login(page, "ent_a_staff")
    page.goto(f"/enterprise/desk/questions/{question.pk}/")
    expect(page.get_by_test_id("message")).to_have_count(2)
    shot(page, "enterprise-thread")

    page.goto("/enterprise/desk/library/")
    expect(page.get_by_test_id("document").first).to_be_visible()
    shot(page, "enterprise-library")
    page.fill("#id_q", "供港澳")
    page.get_by_test_id("library-search").get_by_role("button").first.click()
    expect(page.get_by_test_id("document")).to_have_count(4)

    page.goto("/enterprise/desk/notices/")
    expect(page.get_by_test_id("notices")).to_be_visible()
    shot(page, "enterprise-notices")

    bureau = new_context(locale).new_page()
    login(bureau, "manager")
    bureau.goto(f"/bureau/desk/questions/{question.pk}/")
    expect(bureau.get_by_test_id("message")).to_have_count(2)
    shot(bureau, "bureau-thread")
    bureau.goto("/bureau/desk/library/")
    expect(bureau.get_by_test_id("library-add")).to_be_visible()
    shot(bureau, "bureau-library")


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")
