import json
import os
from pathlib import Path

import pytest

from .report import report_print
from .stack import Stack, missing_tools

REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults" / "report.json"


@pytest.fixture(scope="session")
def stack():
    missing = missing_tools()
    if missing:
        message = f"fault tests need {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    stack = Stack.create()
    yield stack
    stack.close()


@pytest.fixture(scope="session")
def fault_report(request):
    """What the fault tests counted (lines lost at each bridge kill...): printed at the end of the
    run and kept in test-artifacts/faults/report.json."""
    report: dict[str, object] = {}
    yield report
    if not report:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1) + "\n")
    workeroutput = getattr(request.config, "workeroutput", None)
    if workeroutput is not None:
        # A pytest-xdist worker: its terminal is not shown; the controller prints what it is sent
        # (tests/conftest.py, pytest_testnodedown).
        workeroutput["fault_report"] = report
        return
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        report_print(terminal, report)
