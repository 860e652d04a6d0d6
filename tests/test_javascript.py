"""Our JavaScript never turns text into markup: no innerHTML and its kin, no HTML strings for Leaflet.

User text (pen, farm, organisation and county names) once reached innerHTML and ran as script
(tests/e2e/test_hostile_text.py shows it no longer does). Every file of static/js builds its nodes
with textContent; this keeps it so. Leaflet's bindTooltip, bindPopup and setContent take a string
as HTML, so they must be given a node (``node(...)``) or a function that returns one.
"""

import re
from pathlib import Path

import pytest

JS = sorted((Path(__file__).resolve().parents[1] / "static" / "js").glob("*.js"))
MARKUP_SINKS = re.compile(r"\.(innerHTML|outerHTML)\s*(\+?=)|insertAdjacentHTML|document\.write|\.html\(")
LEAFLET_CONTENT = re.compile(r"\.(bindTooltip|bindPopup|setContent)\(\s*(?!node\(|function\b)")


def code(path: Path) -> str:
    """The file without its comments (they may name the sinks they avoid)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", text)


def test_there_are_scripts_to_check():
    assert {p.name for p in JS} >= {"farm_form.js", "farm_map.js", "orgmap.js", "herd.js", "readers.js"}


@pytest.mark.parametrize("path", JS, ids=[p.name for p in JS])
def test_no_text_becomes_markup(path):
    source = code(path)
    assert not MARKUP_SINKS.findall(source), f"{path.name} writes markup from text"
    assert not LEAFLET_CONTENT.findall(source), f"{path.name} gives Leaflet an HTML string"
