"""What livestock raises in the alerts centre: banned-substance attempts and readers gone silent."""

import contextlib
import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from livestock.models import ReaderDevice, SubstanceAlert
from livestock.services.alerts import readers_silence_check
from livestock.services.devices import device_register
from livestock.services.records import log_record
from surveillance.models import Alert
from surveillance.selectors import alert_list_for_user
from tests.farms.factories import registered_farm


def attempt(world, farm, product="盐酸克仑特罗"):
    with contextlib.suppress(DomainError):  # refused, as it must be; the alert stays
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="disinfection",
            occurred_on=timezone.localdate(),
            fields={"product": product, "area": "1号猪舍"},
        )


def test_a_banned_substance_attempt_raises_one_alert_and_repeats_count(world):
    farm = registered_farm(world)
    attempt(world, farm)
    attempt(world, farm, product="瘦肉精")  # the same substance by another name
    attempt(world, farm, product="莱克多巴胺")  # another substance: another alert
    attempts = list(SubstanceAlert.objects.order_by("pk"))
    assert len(attempts) == 3
    clenbuterol = attempts[0].alert
    assert attempts[1].alert == clenbuterol and attempts[2].alert != clenbuterol
    assert clenbuterol.count == 2 and clenbuterol.severity == Alert.Severity.HIGH
    assert (clenbuterol.organisation, clenbuterol.role, clenbuterol.farm) == (
        world.branch_a,
        "inspector",
        farm,
    )
    assert clenbuterol.subject == attempts[0]
    assert "Clenbuterol" in clenbuterol.text_en and farm.name_zh in clenbuterol.text_zh
    assert set(alert_list_for_user(user=world.insp_a)) == {clenbuterol, attempts[2].alert}
    assert not alert_list_for_user(user=world.insp_b).exists()


@pytest.fixture
def reader(world):
    return device_register(actor=world.insp_a, code="chute-1", name="1号通道", farm=registered_farm(world))


def beat(device, seconds_ago: int):
    ReaderDevice.objects.filter(pk=device.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds_ago), heartbeat={"connected": True}
    )


def test_a_reader_gone_silent_raises_an_alert_that_closes_when_it_speaks(world, reader, settings):
    settings.LIVESTOCK_READER_SILENT_S = 600
    assert readers_silence_check() == {"raised": 0, "closed": 0}  # never heard of: still being installed
    beat(reader, 60)
    assert readers_silence_check() == {"raised": 0, "closed": 0}
    beat(reader, 900)
    assert readers_silence_check() == {"raised": 1, "closed": 0}
    alert = Alert.objects.get(kind=Alert.Kind.READER_SILENT)
    assert (alert.organisation, alert.role, alert.subject) == (world.branch_a, "inspector", reader)
    assert "1号通道" in alert.text_en
    # Checked again a minute later: the same alert, not counted again every minute.
    assert readers_silence_check() == {"raised": 0, "closed": 0}
    alert.refresh_from_db()
    assert alert.count == 1
    beat(reader, 5)  # it speaks again
    assert readers_silence_check() == {"raised": 0, "closed": 1}
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED and alert.closed_by is None
    assert alert.close_reason == "The reader was heard from again."


def test_a_site_reader_alerts_the_site_and_a_revoked_one_closes(world, settings):
    from livestock.services.devices import device_revoke

    settings.LIVESTOCK_READER_SILENT_S = 600
    device = device_register(actor=world.manager, code="wjd-1", name="文锦渡1号", site=world.port_wenjindu)
    beat(device, 3600)
    readers_silence_check()
    alert = Alert.objects.get(kind=Alert.Kind.READER_SILENT)
    assert (alert.organisation, alert.role) == (world.port_wenjindu, "port_officer")
    assert list(alert_list_for_user(user=world.port)) == [alert]
    device_revoke(actor=world.manager, device=device, reason="设备报废")
    assert readers_silence_check()["closed"] == 1
    alert.refresh_from_db()
    assert alert.close_reason == "The reader was revoked."


def test_the_checks_run_on_demand_without_beat(world, reader, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.LIVESTOCK_READER_SILENT_S = 600
    beat(reader, 3600)
    out = StringIO()
    call_command("surveillance_checks", stdout=out)
    assert "readers: 1 alerts raised" in out.getvalue()
