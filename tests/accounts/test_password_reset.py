"""Password reset by e-mail: the link, the new password, the sessions it ends, the throttle."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import UserSession
from accounts.services import PASSWORD_RESET_REASON

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reset-tests"}}


@pytest.fixture
def mailbox(settings, django_capture_on_commit_callbacks):
    """Requests whose mail is sent (on commit, by a task) before the test reads mail.outbox."""
    settings.SITE_URL = "https://livestock.example.cn/"

    def post(client, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"email": email}, **extra)

    return post


def link_in(message) -> str:
    return re.search(r"https://livestock\.example\.cn(/accounts/password/reset/\S+/)", message.body).group(1)


def test_the_log_in_page_links_to_the_reset(client, world):
    assert f'href="{RESET}"' in client.get("/accounts/login/").content.decode()


def test_a_reset_mails_a_link_to_the_site_url_not_the_host_header(client, world, mailbox):
    user = world.ent_a_staff
    response = mailbox(client, user.email.upper(), HTTP_HOST="127.0.0.1")
    assert response.status_code == 302 and response["Location"] == SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "https://livestock.example.cn/accounts/password/reset/" in message.body
    assert user.username in message.body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, world, mailbox):
    known = mailbox(client, world.ent_a_staff.email)
    mail.outbox.clear()
    unknown = mailbox(client, "nobody-here@example.cn")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_a_deactivated_user_gets_no_mail(client, world, mailbox):
    user = world.ent_a_staff
    user.is_active = False
    user.save()
    mailbox(client, user.email)
    assert mail.outbox == []


def test_the_link_sets_a_new_password_ends_sessions_and_is_audited(client, world, mailbox):
    user = world.ent_a_staff
    other = type(client)()
    other.force_login(user)  # a session elsewhere (the one a reset is often about)
    assert UserSession.objects.filter(user=user).exists()
    mailbox(client, user.email)
    page = client.get(link_in(mail.outbox[0]), follow=True)
    assert page.context["validlink"]
    new = "a fresh Long passphrase 42"
    response = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert not UserSession.objects.filter(user=user).exists()
    assert other.get("/").status_code == 302 and "/accounts/login/" in other.get("/")["Location"]
    last = user.history.order_by("-history_id").first()
    assert last.history_change_reason == str(PASSWORD_RESET_REASON) and last.history_user_id == user.pk
    # The link works once.
    again = client.get(link_in(mail.outbox[0]), follow=True)
    assert not again.context["validlink"]
    assert 'data-testid="reset-link-invalid"' in again.content.decode()


def test_a_weak_password_is_refused_with_the_reason(client, world, mailbox):
    mailbox(client, world.ent_a_staff.email)
    page = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    world.ent_a_staff.refresh_from_db()
    assert not world.ent_a_staff.check_password("12345678")


@override_settings(CACHES=LOCMEM, PASSWORD_RESET_LIMIT_PER_IP=4, PASSWORD_RESET_LIMIT_PER_EMAIL=2)
def test_requests_are_throttled_per_address_and_per_email(client, world, mailbox):
    email = world.ent_a_staff.email
    for _ in range(2):
        assert mailbox(client, email).status_code == 302
    refused = mailbox(client, email, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == 2
    # The same address from elsewhere is still over its own limit; another address is not.
    assert mailbox(client, email, REMOTE_ADDR="10.9.8.7").status_code == 429
    assert mailbox(client, "someone-else@example.cn").status_code == 302
    # This client address has now asked 4 times (the limit): a fifth address is refused too.
    assert mailbox(client, "a-third@example.cn").status_code == 429


@override_settings(CACHES=LOCMEM, PASSWORD_RESET_LIMIT_PER_EMAIL=1)
def test_the_throttle_says_the_same_for_unknown_addresses(client, world, mailbox):
    for email in (world.ent_a_staff.email, "nobody-here@example.cn"):
        mailbox(client, email, REMOTE_ADDR="10.0.0.1")
        assert mailbox(client, email, REMOTE_ADDR="10.0.0.2").status_code == 429
