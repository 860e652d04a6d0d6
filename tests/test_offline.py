"""The app works with no internet: nothing is loaded from another host."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


def test_no_template_loads_from_another_host():
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in p.parts and EXTERNAL.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("ent_a_admin", "/enterprise/"),
        ("manager", "/bureau/"),
        ("manager", "/bureau/organisations/1/"),
        (None, "/accounts/login/"),
    ],
)
def test_rendered_pages_reference_only_our_own_files(world, client, username, url):
    if username:
        client.force_login(world.users[username])
    html = client.get(url).content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    for asset in re.findall(r"""(?:src|href)="(/static/[^"]+)""", html):
        assert client.get(asset).status_code == 200, asset
