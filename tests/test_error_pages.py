"""Our own error pages, and the Content-Security-Policy on every response.

DEBUG is off outside development (`make run` included): a stranger who finds a missing page or
breaks one sees our page in their language, never Django's traceback or the list of URL patterns.
"""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401  (used by Django)


def _boom(request):
    raise RuntimeError("secret internals: /var/lib/livestock password=hunter2")


def _suspicious(request):
    raise SuspiciousOperation("bad")


def _denied(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("suspicious/", _suspicious),
    path("denied/", _denied),
    path("", include("config.urls")),
]

LEAKS = ["Traceback", "RuntimeError", "hunter2", "Using the URLconf", "urlpatterns", "DEBUG = True"]


@pytest.fixture
def anonymous(client):
    client.raise_request_exception = False
    return client


def test_debug_is_off_unless_asked_for():
    from config.settings import base

    assert base.env.bool("DJANGO_DEBUG", default=False) is base.DEBUG
    assert settings.DEBUG is False


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize(
    ("url", "status", "english", "chinese"),
    [
        ("/no-such-page/", 404, "This page or record does not exist", "该页面或记录不存在"),
        ("/boom/", 500, "Something went wrong on our side", "系统出现错误"),
        ("/suspicious/", 400, "The request could not be understood", "无法理解这个请求"),
        ("/denied/", 403, "You are not allowed to open this page", "无权"),
    ],
)
def test_errors_show_our_page_in_the_users_language(anonymous, db, url, status, english, chinese):
    for language, text in (("en", english), ("zh-hans", chinese)):
        anonymous.cookies["django_language"] = language
        response = anonymous.get(url)
        html = response.content.decode()
        assert response.status_code == status
        assert 'data-testid="error-page"' in html and 'data-testid="error-home"' in html
        assert text in html, (language, html)
        for leak in LEAKS:
            assert leak not in html


@pytest.mark.parametrize("url", ["/accounts/login/", "/no-such-page/", "/healthz"])
def test_every_response_carries_the_content_security_policy(client, db, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["style-src-elem"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert directives["connect-src"] == "'self'"
