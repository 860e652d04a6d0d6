"""`manage.py reader_register`: a reader for a bridge beside the server (compose), through the service."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from livestock.models import ReaderDevice
from livestock.services.devices import CODE_TAKEN
from tests.farms.factories import registered_farm

pytestmark = pytest.mark.django_db

SECRET = "9f" * 32


def register(*args, **env):
    out = io.StringIO()
    call_command("reader_register", *args, stdout=out)
    return out.getvalue()


def test_a_reader_on_the_warehouse_gets_a_secret_shown_once(world):
    out = register("qsh-gate-1", "--name", "Gate 1", "--site", "wh-qingshuihe")
    device = ReaderDevice.objects.get(code="qsh-gate-1")
    assert device.site.code == "wh-qingshuihe" and device.farm is None
    assert device.created_by == world.sysadmin and device.is_active
    assert f"(id {device.pk})" in out
    assert device.secret in out


def test_a_reader_on_a_farm_takes_the_secret_the_bridge_has_from_the_environment(world, monkeypatch):
    farm = registered_farm(world)
    monkeypatch.setenv("RFID_BRIDGE_SECRET", SECRET)
    out = register(
        "hf-chute-1",
        "--name",
        "Chute",
        "--farm",
        farm.registration_number,
        "--secret-env",
        "RFID_BRIDGE_SECRET",
    )
    device = ReaderDevice.objects.get(code="hf-chute-1")
    assert device.farm == farm and device.secret == SECRET
    assert SECRET not in out  # the operator has it already; it is not printed


@pytest.mark.parametrize("secret", ["", "too-short", "has spaces " * 4, "x" * 101])
def test_a_weak_or_malformed_secret_is_refused_and_nothing_registered(world, monkeypatch, secret):
    monkeypatch.setenv("RFID_BRIDGE_SECRET", secret)
    with pytest.raises(CommandError, match="RFID_BRIDGE_SECRET must hold the device secret"):
        register(
            "qsh-gate-1", "--name", "Gate 1", "--site", "wh-qingshuihe", "--secret-env", "RFID_BRIDGE_SECRET"
        )
    assert not ReaderDevice.objects.exists()


def test_the_services_rules_apply_a_taken_device_id_is_refused(world, monkeypatch):
    register("qsh-gate-1", "--name", "Gate 1", "--site", "wh-qingshuihe")
    first = ReaderDevice.objects.get().secret
    monkeypatch.setenv("RFID_BRIDGE_SECRET", SECRET)
    with pytest.raises(CommandError, match=str(CODE_TAKEN).split("“")[0]):
        register(
            "qsh-gate-1", "--name", "Again", "--site", "wh-qingshuihe", "--secret-env", "RFID_BRIDGE_SECRET"
        )
    assert ReaderDevice.objects.get().secret == first  # the registered reader is untouched


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (["--site", "nowhere"], "No organisation with code 'nowhere'"),
        (["--farm", "GK00X-0000-0000"], "No farm with registration number"),
        (["--site", "ciq-huizhou"], "A reader is registered to a farm, the transit warehouse or a port"),
    ],
)
def test_an_unknown_or_wrong_place_is_refused(world, where, message):
    with pytest.raises(CommandError, match=message):
        register("qsh-gate-1", "--name", "Gate 1", *where)
    assert not ReaderDevice.objects.exists()
