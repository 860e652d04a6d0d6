"""JSON from outside goes through one parser (accounts.jsoninput), which refuses what we cannot keep.

Its endpoints are tested where they live (the bridge API: tests/livestock/test_bridge_api.py; the
farm layout: tests/farms/test_layout.py); here the parser itself, and a search of the code for any
other place that parses JSON, so that a new endpoint cannot parse with ``json.loads`` unchecked.
"""

import re
from pathlib import Path

import pytest
from django.utils import translation

from accounts import jsoninput


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[NaN]", jsoninput.NOT_FINITE),
        ('{"a": -Infinity}', jsoninput.NOT_FINITE),
        ("[1e400]", jsoninput.NOT_FINITE),
        ("[" * 33 + "]" * 33, jsoninput.TOO_DEEP),
        ("[" * 100_000, jsoninput.TOO_DEEP),
        ('{"a": "\\u0000"}', jsoninput.BAD_CHARACTER),
        ('{"\\udc00": 1}', jsoninput.BAD_CHARACTER),
        (b'"\xed\xa0\x80"', jsoninput.NOT_UTF8),
        (b"\xff", jsoninput.NOT_UTF8),
    ],
)
def test_refused(text, message):
    with pytest.raises(jsoninput.JSONInputError) as refused:
        jsoninput.loads(text)
    with translation.override("en"):
        assert str(refused.value).startswith(str(message).split("{")[0])
    assert refused.value.reason.isascii()  # the API answers it as is


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("[" * 32 + "]" * 32, nested(32)),
        ('"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["', "[" * 39),  # brackets in text are text
        ('"\\\\u0000"', "\\u0000"),  # an escaped backslash, then text
        ('"\\ud83d\\ude00 猪"', "😀 猪"),
        ("-1.5e3", -1500.0),
        ("12345678901234567890", 12345678901234567890),
    ],
)
def test_accepted(text, value):
    assert jsoninput.loads(text) == value


def test_the_messages_are_translated():
    with translation.override("zh-hans"):
        assert str(jsoninput.TOO_DEEP) != "The data is nested more than {depth} levels deep."


ROOT = Path(__file__).resolve().parents[1]
# Files that parse JSON they did not receive from a request: shipped data, their own files.
OWN_JSON = {
    "farms/regions.py": "the shipped province and county outlines",
    "portal_ciq/farms/places.py": "the shipped province outlines",
    "livestock/services/animals.py": "the checked rows it wrote itself",
    "rfid_bridge/cli.py": "the bridge's own status file",
    "rfid_bridge/spool.py": "the bridge's own spool",
    "rfid_bridge/delivery.py": "the server's answer, shown in the bridge's log",
    # The offline verifier stands alone (only `cryptography`, no Django): it reads the keys file
    # its own user downloaded, and a malformed one ends the command with a message.
    "quarantine/verify.py": "the verifier's own copy of the published keys",
}


def test_every_json_parse_of_outside_data_is_the_shared_parser():
    found = {}
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if (
            relative.startswith((".venv/", "tests/", "bench/", "static/", "var/"))
            or "/migrations/" in relative
            # Build scripts that read the project's own data files, run by developers.
            or "/data/build_" in relative
        ):
            continue
        if relative == "accounts/jsoninput.py":
            continue
        if re.search(r"json\.loads?\(|JSONParser|request\.body", path.read_text(encoding="utf-8")):
            found[relative] = True
    unexpected = set(found) - set(OWN_JSON) - {"livestock/api.py", "transit/api.py"}
    assert not unexpected, f"parse JSON from outside with accounts.jsoninput.loads: {unexpected}"
    assert "jsoninput.loads" in (ROOT / "livestock/api.py").read_text()
    assert "jsoninput.loads" in (ROOT / "transit/api.py").read_text()
    assert "jsoninput.loads" in (ROOT / "portal_enterprise/farms/forms.py").read_text()
