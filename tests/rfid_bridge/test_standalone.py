"""rfid_bridge is a program of its own: no Django, nothing from the project. The server imports
two of its modules, the protocol and the ISO 11784 codec, and they need only the standard library."""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "rfid_bridge"
# The bridge's only dependencies: pyserial, and the Celery client with its Redis transport
# (celery[redis] brings redis-py, which the bridge also uses to take its acknowledgements).
ALLOWED = {"serial", "celery", "redis"}
PROJECT = {"config", "accounts", "farms", "surveillance", "livestock", "quarantine", "transit", "tracing"}
# What the server may import from the bridge (docs/architecture.md, docs/rfid_bridge.md).
SHARED = {"rfid_bridge.protocol", "rfid_bridge.iso11784"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_imports_only_the_stdlib_pyserial_and_celery():
    for path in PACKAGE.glob("*.py"):
        outside = imported_modules(path) - set(sys.stdlib_module_names) - ALLOWED - {"rfid_bridge"}
        assert not outside, f"{path.name} imports {outside}"
    for shared in SHARED:
        path = PACKAGE / f"{shared.split('.')[1]}.py"
        assert imported_modules(path) <= set(sys.stdlib_module_names), path.name
        relative = {
            node.module
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.level
        }
        assert {f"rfid_bridge.{name}" for name in relative} <= SHARED, path.name


def bridge_imports(path: Path) -> set[str]:
    """The rfid_bridge modules a file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == "rfid_bridge")
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module.split(".")[0] == "rfid_bridge"
        ):
            names.update(
                node.module if node.module != "rfid_bridge" else f"rfid_bridge.{a.name}" for a in node.names
            )
    return names


def test_the_server_imports_only_the_protocol_and_the_codec():
    for package in sorted(PROJECT):
        for path in (ROOT / package).rglob("*.py"):
            outside = bridge_imports(path) - SHARED
            assert not outside, f"{path.relative_to(ROOT)} imports {outside} from the bridge"


def test_runs_without_django_or_the_project():
    # A site computer has neither: hide them (kombu would otherwise pick up Django's Promise type
    # because Django happens to be installed in this venv), then use every part of the bridge.
    script = f"""
import importlib.abc, json, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {sorted(PROJECT | {"django"})!r}:
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Hide())
from rfid_bridge import cli, bridge, protocol
from rfid_bridge.delivery import CeleryDelivery, DeliveryError
delivery = CeleryDelivery("redis://127.0.0.1:1/0", timeout=1)
try:
    delivery.send_reads({{"v": 1}})
except DeliveryError:
    pass
assert cli.main(["profiles", "--json"]) == 0
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    loaded = set(json.loads(result.stdout.decode().splitlines()[-1]))
    assert not loaded & (PROJECT | {"django"})


def test_protocol_alone_loads_no_dependency():
    script = (
        "import json, sys; import rfid_bridge.protocol, rfid_bridge.iso11784; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60, check=True
    )
    loaded = {name.split(".")[0] for name in json.loads(result.stdout)}
    assert not loaded & {"serial", "celery", "kombu", "django"}
