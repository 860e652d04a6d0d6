"""The alerts centre's service: raised once per key and counted, answered with a trail, scoped."""

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.models import Role
from surveillance import sms
from surveillance.models import Alert, AlertNote
from surveillance.selectors import (
    alert_counts_for_user,
    alert_get_for_user,
    alert_list_for_user,
    alert_open_count_for_user,
)
from surveillance.services import (
    AlertScope,
    alert_acknowledge,
    alert_close,
    alert_note_add,
    alert_raise,
    alert_show_to_enterprise,
    alerts_resolve,
)
from surveillance.services import alerts as alert_services

TEXT = _("Reader {reader} at {site} has not been heard from since {since}.")


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    mail.outbox.clear()
    yield
    sms.outbox.clear()


def raise_for_branch_a(world, key="test:1", severity=Alert.Severity.MEDIUM, **kw):
    from django.utils.text import format_lazy

    return alert_raise(
        kind=Alert.Kind.OTHER,
        severity=severity,
        key=key,
        scope=AlertScope(
            organisation_id=world.branch_a.pk, role=Role.INSPECTOR, enterprise_id=world.ent_a.pk
        ),
        text=lambda: format_lazy(TEXT, reader="1号通道", site="华丰一场", since="2026-01-01 08:00"),
        **kw,
    )


def test_the_text_is_kept_in_both_languages(world):
    alert = raise_for_branch_a(world)
    assert alert.text_en == "Reader 1号通道 at 华丰一场 has not been heard from since 2026-01-01 08:00."
    assert "1号通道" in alert.text_zh and alert.text_zh != alert.text_en


def test_raised_twice_is_one_alert_counted(world):
    first = raise_for_branch_a(world)
    again = raise_for_branch_a(world, severity=Alert.Severity.HIGH)
    assert again.pk == first.pk and Alert.objects.count() == 1
    first.refresh_from_db()
    assert first.count == 2 and first.severity == Alert.Severity.HIGH  # raised to the higher
    assert first.last_raised_at >= first.raised_at


def test_a_closed_alert_raised_again_is_a_new_alert(world):
    first = raise_for_branch_a(world)
    alert_close(actor=world.insp_a, alert=first, note="已处理")
    second = raise_for_branch_a(world)
    assert second.pk != first.pk and second.count == 1
    assert Alert.objects.filter(key="test:1").count() == 2


def test_unknown_kinds_and_severities_are_programming_errors(world):
    with pytest.raises(ValueError):
        alert_raise(kind="meteor", severity=3, key="x", scope=AlertScope.managers(), text="x")
    with pytest.raises(ValueError):
        alert_raise(kind="other", severity=9, key="x", scope=AlertScope.managers(), text="x")
    with pytest.raises(ValueError):
        alert_raise(kind="other", severity=1, key="", scope=AlertScope.managers(), text="x")


def test_each_role_sees_its_scope(world):
    alert = raise_for_branch_a(world)
    assert list(alert_list_for_user(user=world.insp_a)) == [alert]
    assert list(alert_list_for_user(user=world.manager)) == [alert]
    assert list(alert_list_for_user(user=world.sysadmin)) == [alert]
    for other in (world.insp_b, world.port, world.transit, world.lab, world.ent_a_staff, world.ent_b_admin):
        assert not alert_list_for_user(user=other).exists(), other
    # The enterprise sees it only once the bureau shows it.
    alert_show_to_enterprise(actor=world.insp_a, alert=alert, shown=True)
    assert list(alert_list_for_user(user=world.ent_a_staff)) == [alert]
    assert not alert_list_for_user(user=world.ent_b_admin).exists()


def test_the_open_count_is_one_query(world, django_assert_num_queries):
    raise_for_branch_a(world, key="a")
    raise_for_branch_a(world, key="b")
    with django_assert_num_queries(1):
        assert alert_open_count_for_user(user=world.insp_a) == 2
    assert alert_counts_for_user(user=world.insp_a) == {"open": 2, "new": 2, "high": 0, "acknowledged": 0}


def test_acknowledge_note_close_keep_a_trail(world):
    alert = raise_for_branch_a(world)
    alert_acknowledge(actor=world.insp_a, alert=alert)
    alert_note_add(actor=world.insp_a, alert=alert, note="已电话联系企业")
    closed = alert_close(actor=world.insp_a, alert=alert, note="现场核查，无异常")
    assert closed.state == Alert.State.CLOSED and closed.closed_by == world.insp_a
    assert closed.close_reason == "现场核查，无异常" and closed.acknowledged_by == world.insp_a
    trail = list(AlertNote.objects.filter(alert=alert).values_list("action", "text", "author"))
    assert trail == [
        ("acknowledge", "", world.insp_a.pk),
        ("note", "已电话联系企业", world.insp_a.pk),
        ("close", "现场核查，无异常", world.insp_a.pk),
    ]
    assert list(closed.history.order_by("history_id").values_list("state", flat=True)) == [
        "new",
        "acknowledged",
        "closed",
    ]
    assert alert_open_count_for_user(user=world.insp_a) == 0


@pytest.mark.parametrize("note", ["", "   \n "])
def test_closing_without_a_note_is_refused(world, note):
    alert = raise_for_branch_a(world)
    with pytest.raises(DomainError) as exc:
        alert_close(actor=world.insp_a, alert=alert, note=note)
    assert exc.value.message == alert_services.NOTE_REQUIRED
    alert.refresh_from_db()
    assert alert.state == Alert.State.NEW and not alert.notes.exists()


def test_another_branch_cannot_act_on_the_alert(world):
    alert = raise_for_branch_a(world)
    for act in (
        lambda: alert_acknowledge(actor=world.insp_b, alert=alert),
        lambda: alert_close(actor=world.insp_b, alert=alert, note="不是我的"),
        lambda: alert_note_add(actor=world.insp_b, alert=alert, note="不是我的"),
    ):
        with pytest.raises(DomainError, match="only they or a manager"):
            act()
    alert.refresh_from_db()
    assert alert.state == Alert.State.NEW and not alert.notes.exists()
    # Nor can it even find it by id.
    from django.http import Http404

    with pytest.raises(Http404):
        alert_get_for_user(user=world.insp_b, pk=alert.pk)


def test_actions_out_of_order_are_refused(world):
    alert = raise_for_branch_a(world)
    alert_acknowledge(actor=world.insp_a, alert=alert)
    with pytest.raises(DomainError, match="cannot be acknowledged"):
        alert_acknowledge(actor=world.insp_a, alert=alert)
    alert_close(actor=world.manager, alert=alert, note="总局督办完毕")
    with pytest.raises(DomainError, match="cannot be closed"):
        alert_close(actor=world.insp_a, alert=alert, note="再次")
    with pytest.raises(DomainError):
        alert_note_add(actor=world.insp_a, alert=alert, note="迟到的备注")
    alert.refresh_from_db()
    assert alert.close_reason == "总局督办完毕" and alert.notes.count() == 2


def test_showing_to_the_enterprise_is_recorded_and_not_twice(world):
    alert = raise_for_branch_a(world)
    alert_show_to_enterprise(actor=world.insp_a, alert=alert, shown=True, note="请企业知悉")
    with pytest.raises(DomainError, match="already sees"):
        alert_show_to_enterprise(actor=world.insp_a, alert=alert, shown=True)
    alert_show_to_enterprise(actor=world.insp_a, alert=alert, shown=False)
    assert list(alert.notes.values_list("action", flat=True)) == ["show", "hide"]
    about_nobody = alert_raise(kind="other", severity=1, key="n", scope=AlertScope.managers(), text="x")
    with pytest.raises(DomainError, match="no enterprise"):
        alert_show_to_enterprise(actor=world.manager, alert=about_nobody, shown=True)


def test_the_system_resolves_alerts_whose_cause_went_away(world):
    alert = raise_for_branch_a(world)
    assert alerts_resolve(keys=["test:1", "nothing:open"]) == 1
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED and alert.closed_by is None
    assert alert.close_reason == alert_services.RESOLVED_BY_SYSTEM


def test_high_alerts_go_out_by_email_and_sms_once(world, django_capture_on_commit_callbacks):
    world.insp_a.phone = "13800000001"
    world.insp_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_for_branch_a(world, severity=Alert.Severity.HIGH)
    inspectors = set(
        world.branch_a.users.filter(role=Role.INSPECTOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    assert {m.to[0] for m in mail.outbox} == inspectors
    assert "1号通道" in mail.outbox[0].body and f"/bureau/alerts/{alert.pk}/" in mail.outbox[0].body
    assert [m.to for m in sms.outbox] == ["13800000001"]
    assert "1号通道" in sms.outbox[0].text
    alert.refresh_from_db()
    assert alert.notified_at is not None
    # A retried task, or the same warning raised again, sends nothing more.
    from surveillance.tasks import alerts_notify

    assert alerts_notify(alert_ids=[alert.pk]) == 0
    with django_capture_on_commit_callbacks(execute=True):
        raise_for_branch_a(world, severity=Alert.Severity.HIGH)
    assert len(sms.outbox) == 1


def test_medium_alerts_are_not_sent(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        raise_for_branch_a(world, severity=Alert.Severity.MEDIUM)
    assert mail.outbox == [] and sms.outbox == []


def test_the_sms_gateway_is_chosen_by_a_setting(settings, capsys):
    settings.SMS_BACKEND = "surveillance.sms.ConsoleBackend"
    assert sms.sms_send(to=["13800000001", " "], text="测试") == 1
    assert "[SMS to 13800000001] 测试" in capsys.readouterr().out
    settings.SMS_BACKEND = "surveillance.sms.HttpBackend"
    settings.SMS_URL = ""
    with pytest.raises(sms.SmsError):
        sms.sms_send(to="13800000001", text="x")
