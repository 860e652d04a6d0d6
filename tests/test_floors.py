"""The floors of docs/architecture.md, checked on the source: each app imports only lower floors.

``portal_shared`` holds what both portals show alike; it is on the portals' floor but is not a
portal: it imports only the floors below, and the two portals import it, never each other.
Nothing imports a portal. ``rfid_bridge`` imports no app of the server.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {
    "accounts": 1,
    "farms": 2,
    "surveillance": 3,
    "livestock": 4,
    "quarantine": 5,
    "transit": 6,
    "tracing": 7,
    "portal_shared": 7.5,
    "portal_enterprise": 8,
    "portal_ciq": 8,
}
PORTALS = {"portal_enterprise", "portal_ciq"}
BRIDGE = "rfid_bridge"


def imported_apps(path: Path) -> set[str]:
    """Return the project apps (and the bridge) a module imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(top for name in names if (top := name.split(".")[0]) in FLOORS or top == BRIDGE)
    return found


def modules(app: str):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", sorted(FLOORS))
def test_an_app_imports_only_lower_floors(app):
    wrong = []
    for path in modules(app):
        for other in imported_apps(path) - {app}:
            if other == BRIDGE:
                continue  # what the server takes from the bridge: docs/rfid_bridge.md
            if FLOORS[other] >= FLOORS[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert wrong == []


def test_the_bridge_imports_no_app():
    wrong = [str(p.relative_to(ROOT)) for p in modules(BRIDGE) if imported_apps(p) - {BRIDGE}]
    assert wrong == []


def test_the_checker_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from portal_ciq.desk import views\n", encoding="utf-8")
    assert imported_apps(module) == {"portal_ciq"}
