"""Every user-visible string is translated, and the compiled catalogue matches the source."""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_catalogue_is_complete():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if 'msgstr ""' in e and e.rstrip().endswith('msgstr ""')]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, f"{len(untranslated)} strings without a Chinese translation: run `make messages`"
    assert not fuzzy, f"{len(fuzzy)} fuzzy translations to review"


def test_compiled_catalogue_is_up_to_date(tmp_path):
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (msgfmt) is missing; .ci/run should install it")
        pytest.skip("GNU gettext (msgfmt) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(LOCALE / "django.po")], check=True)
    with open(fresh, "rb") as a, open(LOCALE / "django.mo", "rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            "locale/zh_Hans/LC_MESSAGES/django.mo is stale: run `make messages`"
        )


def test_chinese_is_the_default_language(world, client):
    client.force_login(world.ent_a_staff)
    html = client.get("/enterprise/", HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert 'lang="zh-hans"' in html and "供港活畜" in html


def test_english_on_request(world, client):
    client.force_login(world.ent_a_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/enterprise/"})
    html = client.get("/enterprise/").content.decode()
    assert 'lang="en"' in html and "Live Animals for Hong Kong" in html
