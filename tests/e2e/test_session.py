"""Log-in, log-out, lock-out and the language switch, through the real pages."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COMPANY = "Company"  # the enterprise portal's first navigation label


def test_language_switch(page, login, shot):
    login(page, "ent_a_staff")
    html = page.locator("html")
    nav = page.locator("[data-nav=company]")
    switch = page.get_by_test_id("language-switch")
    expect(html).to_have_attribute("lang", "zh-hans")
    # The label is looked up through a variable so that makemessages does not extract it.
    with translation.override("zh-hans"):
        company_zh = translation.gettext(COMPANY)
    if company_zh != COMPANY:  # translated and compiled (locale/zh_Hans/LC_MESSAGES/django.mo)
        expect(nav).to_have_text(company_zh)
        expect(page.locator(".brand-main")).to_have_text("供港活畜信息管理系统")
    shot(page, "zh")

    switch.locator("button[value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/enterprise/$"))
    expect(nav).to_have_text(COMPANY)
    expect(page.locator(".brand-main")).to_have_text("Live Animals for Hong Kong")
    expect(switch.locator("button[value=en]")).to_have_attribute("aria-pressed", "true")
    shot(page, "en")

    # The choice sticks for the next page.
    page.goto("/enterprise/")
    expect(html).to_have_attribute("lang", "en")

    switch.locator("button[value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(switch.locator("button[value=zh-hans]")).to_have_text("中文")
    expect(switch.locator("button[value=zh-hans]")).to_have_attribute("aria-pressed", "true")


def test_logout_ends_the_session(new_context, login, shot):
    context = new_context()
    page = context.new_page()
    login(page, "ent_a_staff")
    expect(page).to_have_url(re.compile(r"/enterprise/$"))
    old_cookies = context.cookies()

    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    shot(page, "user-menu")
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.goto("/enterprise/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/enterprise/"))
    expect(page.locator("#id_username")).to_be_visible()

    # The session is ended on the server: its old cookie no longer opens the portal.
    replay = new_context()
    replay.add_cookies(old_cookies)
    stale = replay.new_page()
    stale.goto("/enterprise/")
    expect(stale).to_have_url(re.compile(r"/accounts/login/"))


def test_lockout_after_five_wrong_passwords(page, login, shot):
    for attempt in range(1, 5):
        login(page, "ent_a_staff", f"wrong-password-{attempt}")
        expect(page.get_by_test_id("login-error")).to_be_visible()
    shot(page, "wrong-password")

    login(page, "ent_a_staff", "wrong-password-5")
    expect(page.get_by_test_id("locked-out")).to_be_visible()

    # Locked out: even the right password is refused.
    login(page, "ent_a_staff")
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    shot(page, "locked-out")
    page.goto("/enterprise/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
