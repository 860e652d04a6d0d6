from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import UserSession

LOGIN = "/accounts/login/"


def login(client, username, password=DEMO_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize(
    ("username", "home"),
    [("ent_a_staff", "/enterprise/"), ("insp_huizhou", "/bureau/"), ("sysadmin", "/bureau/")],
)
def test_log_in_lands_on_the_role_portal(world, client, username, home):
    response = login(client, username)
    assert response.status_code == 302
    assert client.get(response["Location"]).url == home
    assert UserSession.objects.filter(user__username=username).count() == 1


def test_wrong_password_says_what_to_do(world, client):
    response = login(client, "ent_a_staff", "wrong-password")
    assert response.status_code == 200
    assert "case-sensitive" in response.content.decode() or "区分大小写" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "password", "shown", "hidden"),
    [
        ("", "", ["Enter your user name.", "Enter your password."], []),
        ("ent_a_staff", "", ["Enter your password."], ["Enter your user name."]),
    ],
)
def test_an_empty_log_in_names_what_is_missing(world, client, username, password, shown, hidden):
    """Submitted empty, the page once showed an empty red box: now each missing field says so."""
    client.cookies["django_language"] = "en"
    html = login(client, username, password, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="login-error"' not in html  # no box without a message in it
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    assert 'aria-invalid="true"' in html


def test_lock_out_per_user_and_address_with_cool_off(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ent_a_staff", "wrong-password")
    locked = login(client, "ent_a_staff")  # even the right password is refused now
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    # The same user from another address, and another user from this address, still get in.
    assert login(client, "ent_a_staff", REMOTE_ADDR="10.1.2.3").status_code == 302
    client.logout()
    assert login(client, "ent_a_admin").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_lock_out_uses_the_address_the_proxy_saw(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ent_a_staff", "wrong", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    # A forged left-most entry does not help the attacker: the proxy's entry is what counts.
    assert login(client, "ent_a_staff", HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.9").status_code == 429
    assert login(client, "ent_a_staff", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


def test_log_out_ends_the_session_on_the_server(world, client):
    login(client, "ent_a_staff")
    assert Session.objects.count() == 1
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert not UserSession.objects.exists()
    assert client.get("/enterprise/").status_code == 302


def test_log_out_by_get_is_refused(world, client):
    login(client, "ent_a_staff")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert Session.objects.count() == 1


def test_inactivity_timeout_renews_without_a_write_on_every_request(world, client, settings):
    from django.core.cache import cache
    from django.utils import timezone

    from accounts.sessions import RENEWED_KEY

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and not settings.SESSION_SAVE_EVERY_REQUEST
    login(client, "ent_a_staff")
    first_expiry = Session.objects.get().expire_date
    Session.objects.update(expire_date=first_expiry - timedelta(minutes=5))
    client.get("/enterprise/")
    # Renewed a moment ago (at log-in): the page is not a write.
    assert Session.objects.get().expire_date == first_expiry - timedelta(minutes=5)
    # Renewed longer ago than SESSION_RENEW_AFTER_S: the expiry is pushed forward again.
    session = client.session
    session[RENEWED_KEY] -= settings.SESSION_RENEW_AFTER_S
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=10))
    cache.clear()
    client.get("/enterprise/")
    assert Session.objects.get().expire_date >= timezone.now() + timedelta(minutes=29)


def test_expired_session_sends_to_log_in(world, client):
    from datetime import timedelta

    from django.utils import timezone

    login(client, "ent_a_staff")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()  # the cached_db engine would otherwise still find it in the cache
    response = client.get("/enterprise/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_password_change(world, client):
    client.force_login(world.ent_a_staff)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Another-pass-77",
            "new_password2": "Another-pass-77",
        },
    )
    assert response.status_code == 302
    world.ent_a_staff.refresh_from_db()
    assert world.ent_a_staff.check_password("Another-pass-77")


def test_log_in_adds_no_version_to_the_history(world, client):
    before = world.ent_a_staff.history.count()
    login(client, "ent_a_staff")
    assert world.ent_a_staff.history.count() == before


def test_system_reasons_are_shown_in_the_readers_language(world, client):
    client.force_login(world.manager)
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    html = client.get("/bureau/audit/").content.decode()
    assert "Seeded reference data" not in html
