"""The desk: questions with attachments and e-mail, notices, and the reference library."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.errors import DomainError
from farms import desk_defaults
from farms.models import Message, MessageAttachment, Notice, Question, ReferenceDocument
from farms.selectors_desk import question_list_for_user, question_queue_for_user
from farms.services import desk as services

from .factories import draft_farm


@pytest.fixture(autouse=True)
def english_pages(client):
    """Ask for English pages: the assertions read the English messages (Chinese: test_i18n)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (15, 118, 110)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf"
    )


def fake_pdf(name="report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"MZ\x90\x00 this is a program, not a PDF", content_type="application/pdf"
    )


def ask(world, capture, *, actor=None, files=(), subject="隔离期多长？", body="非洲猪瘟期间隔离期是多少天？"):
    with capture(execute=True):
        return services.question_ask(
            actor=actor or world.ent_a_staff, subject=subject, body=body, files=files
        )


def answer(world, question, capture, *, actor=None, body="不少于15天。"):
    with capture(execute=True):
        return services.question_reply(actor=actor or world.insp_a, question=question, body=body)


# Services ---------------------------------------------------------------------------------------


def test_asking_reaches_the_branch_inspectors_by_email(world, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks, files=[png(), pdf()])
    assert question.branch == world.branch_a and question.status == Question.Status.OPEN
    assert question.messages.get().attachments.count() == 2
    assert [m.to for m in mail.outbox] == [[world.insp_a.email]]
    assert "New question" in mail.outbox[0].subject and "隔离期多长" in mail.outbox[0].subject
    assert "非洲猪瘟期间隔离期是多少天" in mail.outbox[0].body
    assert f"/bureau/desk/questions/{question.pk}/" in mail.outbox[0].body


def test_answer_emails_the_enterprise_and_follow_up_reopens(world, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    answer(world, question, django_capture_on_commit_callbacks, body="不少于15天，见公告。")
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.ent_a_staff.email, world.ent_a_admin.email])
    assert "不少于15天" in mail.outbox[0].body and "Answered" in mail.outbox[0].subject
    assert f"/enterprise/desk/questions/{question.pk}/" in mail.outbox[0].body

    mail.outbox.clear()
    answer(world, question, django_capture_on_commit_callbacks, actor=world.ent_a_admin, body="牛也一样吗？")
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN
    assert [m.to for m in mail.outbox] == [[world.insp_a.email]] and "Follow-up" in mail.outbox[0].subject


def test_email_keeps_quotes_and_ampersands_unescaped(world, django_capture_on_commit_callbacks):
    ask(world, django_capture_on_commit_callbacks, body='What does "A & B" mean?')
    assert 'What does "A & B" mean?' in mail.outbox[0].body


def test_replying_to_a_closed_question_is_refused(world, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks)
    services.question_close(actor=world.ent_a_staff, question=question)
    with pytest.raises(DomainError) as refused:
        services.question_reply(actor=world.insp_a, question=question, body="迟到的答复")
    assert refused.value.message == services.QUESTION_CLOSED
    assert question.messages.count() == 1
    with pytest.raises(DomainError, match="already closed"):
        services.question_close(actor=world.insp_a, question=question)


def test_bureau_closing_tells_the_enterprise(world, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_close(actor=world.insp_a, question=question)
    assert len(mail.outbox) == 2 and all("Closed" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(
    ("subject", "body", "files", "field"),
    [
        ("主题", "   ", [], "body"),
        ("  ", "内容", [], "subject"),
        ("主题", "内容", [png(), fake_pdf()], "files"),
    ],
)
def test_bad_questions_are_refused_and_nothing_is_saved(world, subject, body, files, field):
    files = [SimpleUploadedFile(f.name, f.read(), f.content_type) for f in files]  # fresh per run
    with pytest.raises(DomainError) as refused:
        services.question_ask(actor=world.ent_a_staff, subject=subject, body=body, files=files)
    assert refused.value.field == field
    assert not Question.objects.exists() and not MessageAttachment.objects.exists()


def test_fake_pdf_message_names_the_file(world):
    with pytest.raises(DomainError, match="report.pdf"):
        services.question_ask(actor=world.ent_a_staff, subject="s", body="b", files=[fake_pdf()])


def test_cannot_ask_about_another_enterprises_farm(world):
    other = draft_farm(world, actor=world.ent_b_admin, branch=world.branch_b, name_zh="湘润一场")
    with pytest.raises(DomainError) as refused:
        services.question_ask(actor=world.ent_a_staff, subject="s", body="b", farm=other)
    assert refused.value.field == "farm" and not Question.objects.exists()


def test_only_the_right_side_may_reply(world, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks)
    for outsider in (world.insp_b, world.ent_b_admin, world.port):
        with pytest.raises(DomainError):
            services.question_reply(actor=outsider, question=question, body="不是我的")
    answer(world, question, django_capture_on_commit_callbacks, actor=world.manager)
    assert question.messages.count() == 2


def test_scopes(world, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks)
    seen = {
        role: question in question_list_for_user(user=getattr(world, role))
        for role in [
            "ent_a_staff",
            "ent_a_admin",
            "ent_b_admin",
            "insp_a",
            "insp_b",
            "manager",
            "port",
            "lab",
        ]
    }
    assert seen == {
        "ent_a_staff": True,
        "ent_a_admin": True,
        "ent_b_admin": False,
        "insp_a": True,
        "insp_b": False,
        "manager": True,
        "port": False,
        "lab": False,
    }


def test_queue_puts_open_questions_first(world, django_capture_on_commit_callbacks):
    first = ask(world, django_capture_on_commit_callbacks, subject="一")
    second = ask(world, django_capture_on_commit_callbacks, subject="二")
    answer(world, second, django_capture_on_commit_callbacks)
    third = ask(world, django_capture_on_commit_callbacks, subject="三")
    services.question_close(actor=world.insp_a, question=third)
    assert list(question_queue_for_user(user=world.insp_a)) == [first, second, third]


def test_notice_publish_and_edit_keep_history(world):
    notice = services.notice_publish(
        actor=world.manager, title="通知", body="正文", published_on=dt.date.today()
    )
    services.notice_update(
        actor=world.sysadmin,
        notice=notice,
        title="通知（更正）",
        body="正文",
        published_on=dt.date.today(),
        is_pinned=True,
    )
    history = list(notice.history.order_by("history_id").values_list("title", "history_user_id"))
    assert history == [("通知", world.manager.pk), ("通知（更正）", world.sysadmin.pk)]
    with pytest.raises(DomainError) as refused:
        services.notice_publish(actor=world.manager, title="x", body=" ", published_on=dt.date.today())
    assert refused.value.field == "body"


def test_library_document_file_is_checked_by_content(world):
    with pytest.raises(DomainError) as refused:
        services.reference_document_add(
            actor=world.manager, category="standard", title="假标准", file=fake_pdf()
        )
    assert refused.value.field == "file" and not ReferenceDocument.objects.exists()
    document = services.reference_document_add(
        actor=world.manager, category="standard", title="真标准", file=pdf()
    )
    assert document.file.name.startswith("library/")


def test_seed_is_idempotent_and_real(world):
    assert desk_defaults.library_ensure(world.sysadmin) == len(desk_defaults.LIBRARY) >= 8
    assert desk_defaults.notices_ensure(world.manager) == len(desk_defaults.NOTICES)
    assert (
        desk_defaults.library_ensure(world.sysadmin) == 0 and desk_defaults.notices_ensure(world.manager) == 0
    )
    numbers = set(ReferenceDocument.objects.values_list("number", flat=True))
    assert {"GB 16548-2006", "国务院令第206号", "国家出入境检验检疫局令第4号"} <= numbers
    assert Notice.objects.filter(is_pinned=True).count() == 1


# Views ------------------------------------------------------------------------------------------


def test_enterprise_asks_with_attachments_through_the_page(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.ent_a_staff)
    farm = draft_farm(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal_enterprise:question_create"),
            {
                "subject": "隔离舍面积要求",
                "farm": farm.pk,
                "body": "隔离舍面积有什么要求？",
                "files": [png(), pdf()],
            },
        )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal_enterprise:question_detail", args=[question.pk]
    )
    assert question.farm == farm and len(mail.outbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert "隔离舍面积有什么要求" in page and "photo.png" in page and "scan.pdf" in page


def test_bad_input_on_the_pages_changes_nothing(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.ent_a_staff)
    url = reverse("portal_enterprise:question_create")
    response = client.post(url, {"subject": "s", "body": "  "})
    assert (
        response.status_code == 200 and str(services.MESSAGE_EMPTY) in response.context["form"].errors["body"]
    )
    response = client.post(url, {"subject": "s", "body": "b", "files": [fake_pdf()]})
    assert response.status_code == 200 and "report.pdf" in response.context["form"].errors["files"][0]
    other = draft_farm(world, actor=world.ent_b_admin, branch=world.branch_b, name_zh="湘润一场")
    response = client.post(url, {"subject": "s", "body": "b", "farm": other.pk})
    assert response.status_code == 200 and "farm" in response.context["form"].errors
    assert not Question.objects.exists() and not MessageAttachment.objects.exists()

    question = ask(world, django_capture_on_commit_callbacks)
    services.question_close(actor=world.insp_a, question=question)
    detail = reverse("portal_enterprise:question_detail", args=[question.pk])
    response = client.post(detail, {"body": "还有一个问题"})
    assert response.status_code == 200
    assert str(services.QUESTION_CLOSED) in response.context["form"].non_field_errors()
    assert question.messages.count() == 1


def test_other_enterprise_and_other_branch_get_404(world, client_for, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks, files=[png()])
    attachment = MessageAttachment.objects.get()
    for user, names in [(world.ent_b_admin, "portal_enterprise"), (world.insp_b, "portal_ciq")]:
        client = client_for(user)
        assert client.get(reverse(f"{names}:question_detail", args=[question.pk])).status_code == 404
        assert client.get(reverse(f"{names}:desk_attachment", args=[attachment.pk])).status_code == 404
        assert client.post(reverse(f"{names}:question_close", args=[question.pk])).status_code == 404
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN


def test_attachment_is_served_by_the_scoped_view(world, client_for, django_capture_on_commit_callbacks):
    ask(world, django_capture_on_commit_callbacks, files=[png()])
    attachment = MessageAttachment.objects.get()
    response = client_for(world.insp_a).get(reverse("portal_ciq:desk_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=0"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert (
        "/media/"
        not in client_for(world.ent_a_staff)
        .get(reverse("portal_enterprise:question_detail", args=[attachment.message.question_id]))
        .content.decode()
    )


def test_bureau_answers_through_the_page(world, client_for, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client = client_for(world.insp_a)
    queue = client.get(reverse("portal_ciq:question_queue")).content.decode()
    assert question.subject in queue
    url = reverse("portal_ciq:question_detail", args=[question.pk])
    assert client.post(url, {"body": ""}).status_code == 200 and question.messages.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "不少于15天。", "files": [pdf("公告.pdf")]})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED and len(mail.outbox) == 2
    assert Message.objects.filter(question=question, author=world.insp_a).get().attachments.count() == 1


def test_managers_publish_notices_and_add_documents(world, client_for):
    client = client_for(world.manager)
    response = client.post(
        reverse("portal_ciq:notice_create"),
        {
            "title": "关于春节期间供港活猪检验检疫工作安排的通知",
            "published_on": "2026-01-20",
            "body": "正文",
            "is_pinned": "on",
        },
    )
    notice = Notice.objects.get(title__startswith="关于春节")
    assert response.status_code == 302 and notice.is_pinned
    response = client.post(
        reverse("portal_ciq:notice_edit", args=[notice.pk]),
        {
            "title": notice.title,
            "published_on": "2026-01-21",
            "body": "更正后的正文",
        },
    )
    notice.refresh_from_db()
    assert response.status_code == 302 and notice.body == "更正后的正文" and not notice.is_pinned
    page = client_for(world.ent_b_admin).get(reverse("portal_enterprise:notice_detail", args=[notice.pk]))
    assert "更正后的正文" in page.content.decode()

    client = client_for(world.manager)
    response = client.post(
        reverse("portal_ciq:library_add"),
        {
            "category": "standard",
            "title": "假文件",
            "file": fake_pdf(),
        },
    )
    assert response.status_code == 200 and "report.pdf" in response.context["form"].errors["file"][0]
    response = client.post(
        reverse("portal_ciq:library_add"),
        {
            "category": "standard",
            "title": "生猪产地检疫规程",
            "number": "GB/T 0000",
            "file": pdf(),
        },
    )
    document = ReferenceDocument.objects.get(title="生猪产地检疫规程")
    download = client_for(world.ent_a_staff).get(
        reverse("portal_enterprise:library_download", args=[document.pk])
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert (
        "attachment" in download["Content-Disposition"] and "GB-T 0000.pdf" in download["Content-Disposition"]
    )


def test_library_search_and_filter(world, client_for):
    desk_defaults.library_ensure(world.sysadmin)
    client = client_for(world.ent_a_staff)
    url = reverse("portal_enterprise:library")
    titles = lambda response: [d.title for d in response.context["documents"]]  # noqa: E731
    assert titles(client.get(url, {"q": "16548"})) == ["病害动物和病害动物产品生物安全处理规程"]
    assert titles(client.get(url, {"q": "供港澳 活牛"})) == ["供港澳活牛检验检疫管理办法"]
    assert titles(client.get(url, {"q": "国务院"})) == ["中华人民共和国进出境动植物检疫法实施条例"]
    assert set(titles(client.get(url, {"category": "form"}))) == {"供港澳活猪饲养场检验检疫注册申请表"}
    assert titles(client.get(url, {"q": "没有这个词"})) == []
    no_file = ReferenceDocument.objects.filter(file="").first()
    assert client.get(reverse("portal_enterprise:library_download", args=[no_file.pk])).status_code == 404


@pytest.mark.parametrize(
    ("user", "name", "cap"),
    [
        ("ent_a_staff", "portal_enterprise:question_list", 12),
        ("insp_a", "portal_ciq:question_queue", 12),
        ("manager", "portal_ciq:question_queue", 12),
        ("ent_a_staff", "portal_enterprise:notice_list", 10),
        ("insp_a", "portal_ciq:notice_list", 10),
        ("ent_a_staff", "portal_enterprise:library", 11),
        ("manager", "portal_ciq:library", 11),
    ],
)
def test_list_pages_have_capped_queries(
    world, client_for, django_capture_on_commit_callbacks, user, name, cap
):
    desk_defaults.library_ensure(world.sysadmin)
    desk_defaults.notices_ensure(world.manager)
    farm = draft_farm(world)
    for n in range(12):
        with django_capture_on_commit_callbacks(execute=False):
            question = services.question_ask(
                actor=world.ent_a_staff, subject=f"问题{n}", body="内容", farm=farm
            )
            services.question_reply(actor=world.insp_a, question=question, body="答复")
    client = client_for(getattr(world, user))
    client.get(reverse(name))  # warm the session and the user
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200
    print(name, user, len(queries))
    assert len(queries) <= cap, "\n".join(q["sql"] for q in queries)


def test_thread_page_has_capped_queries(world, client_for, django_capture_on_commit_callbacks):
    question = ask(world, django_capture_on_commit_callbacks, files=[png(), pdf()])
    for n in range(6):
        answer(world, question, django_capture_on_commit_callbacks, body=f"答复{n}")
    for user, url in [
        (world.ent_a_staff, reverse("portal_enterprise:question_detail", args=[question.pk])),
        (world.insp_a, reverse("portal_ciq:question_detail", args=[question.pk])),
    ]:
        client = client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 11, "\n".join(q["sql"] for q in queries)


def test_both_portals_serve_the_one_desk():
    """The desk's views are portal_shared.desk's, declared per portal (one implementation)."""
    from django.urls import resolve

    from portal_shared import desk

    shared = ["question_detail", "question_close", "desk_attachment", "notice_detail", "library_download"]
    for namespace in ("portal_ciq", "portal_enterprise"):
        views = [resolve(reverse(f"{namespace}:{name}", args=[1])).func.view_class for name in shared]
        views += [resolve(reverse(f"{namespace}:{n}")).func.view_class for n in ("notice_list", "library")]
        assert all(issubclass(view, desk.DeskView) for view in views), namespace
        assert {view.namespace for view in views} == {namespace}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_attachment_hint_speaks_the_pages_language(world, client_for, language):
    """The hint was formatted when the module was imported, so it kept that moment's language."""
    from django.utils import translation

    hint = {"en": "Photos (JPEG, PNG) or PDF scans, up to 10 files.", "zh-hans": "最多 10 个文件"}[language]
    client = client_for(world.ent_a_staff)
    client.cookies["django_language"] = language
    with translation.override(language):
        html = client.get(reverse("portal_enterprise:question_create"), HTTP_ACCEPT_LANGUAGE=language)
    assert hint in html.content.decode()
