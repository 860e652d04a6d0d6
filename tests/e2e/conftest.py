"""Browser tests: headless Chromium (Playwright) against pytest-django's live server.

The browser is the system's Chromium (``/usr/bin/chromium``, or ``CHROMIUM_PATH``);
Playwright's own browser download is not used. Without it (or without the playwright
package) the tests are skipped with the reason shown, except on CI (``CI=true``), where
they fail: CI must never silently skip the browser tests.

Live-server tests are transactional (Django empties the database after each), so every
test seeds the demo world again (``accounts.demo.seed`` is idempotent).
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}
# How long a page, a navigation or an expect() waits for what should happen. Generous: `make test`
# runs the browser tests beside another test worker on the same cores, and a wait only lasts
# this long when the thing never happens, i.e. when the test fails anyway.
TIMEOUT_MS = 30_000


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def browser(django_db_setup, live_server):
    """Headless Chromium, one per test module.

    Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM
    calls (seeding, looking up a pk, flushing the database) while one runs, unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set here for as long as Playwright runs, and
    removed after: other tests run ``manage.py check --deploy`` in a subprocess, which fails
    (async.E001) if the variable leaks into it. Module scope ends the event loop (and the
    variable) before the tests that run after the browser tests. The test database and the
    live server are set up first, and so torn down after Playwright has stopped.
    """
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)")
    expect.set_options(timeout=TIMEOUT_MS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


@pytest.fixture
def demo_world(transactional_db):
    """Seed the demo world (committed, so the live server sees it) and return it."""
    from accounts import demo
    from tests.conftest import load_world

    demo.seed()
    return load_world()


@pytest.fixture
def new_context(browser, live_server, demo_world):
    """Return a function opening a fresh browser context (own cookies) on the live server."""
    contexts = []

    def make(locale: str = "zh-CN"):
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a zh-CN browser context."""
    return new_context().new_page()


@pytest.fixture
def shot(request):
    """Return a function saving a full-page screenshot as <test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def save(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def submit_login(page, username: str, password: str | None = None):
    """Log in through the real log-in form (user name, password, submit); return the response.

    No force_login: the real form, the authentication backends and django-axes are exercised.
    """
    from accounts.demo import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD if password is None else password)
    with page.expect_navigation() as nav:
        page.locator("form", has=page.locator("#id_password")).locator("button[type=submit]").click()
    return nav.value


@pytest.fixture
def login():
    """The log-in helper, as a fixture: ``login(page, "ent_a_staff")``."""
    return submit_login
