"""Forgot the password: ask for a link, open it from the mail, choose a new password, log in.

Screenshots of each step and of an error page, in both languages, go to test-artifacts/.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import submit_login

pytestmark = pytest.mark.browser

LANGUAGES = [("zh-CN", "zh"), ("en-US", "en")]
NEW_PASSWORD = "a fresh Long passphrase 42"


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_a_forgotten_password_is_reset(new_context, live_server, demo_world, shot, settings, locale, lang):
    settings.SITE_URL = live_server.url  # where the mailed link points
    user = demo_world.ent_a_staff
    page = new_context(locale).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/accounts/login/")
    page.get_by_test_id("forgot-password").click()
    expect(page.get_by_test_id("password-reset")).to_be_visible()
    shot(page, f"reset-ask-{lang}")
    page.fill("#id_email", user.email)
    with page.expect_navigation():
        page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("password-reset-sent")).to_be_visible()
    shot(page, f"reset-sent-{lang}")

    assert len(mail.outbox) == 1
    link = re.search(rf"{live_server.url}/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_test_id("password-reset-confirm")).to_be_visible()
    shot(page, f"reset-choose-{lang}")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_test_id("reset-save").click()
    expect(page.get_by_test_id("password-reset-complete")).to_be_visible()
    shot(page, f"reset-complete-{lang}")

    # The link works once.
    page.goto(link)
    expect(page.get_by_test_id("reset-link-invalid")).to_be_visible()
    shot(page, f"reset-link-used-{lang}")

    submit_login(page, user.username, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/enterprise/$"))

    page.goto("/no-such-page/")
    expect(page.get_by_test_id("error-page")).to_be_visible()
    shot(page, f"error-404-{lang}")
    assert errors == []
