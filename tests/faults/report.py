"""The fault tests' counts (lines lost at each bridge kill...) as printed at the end of a run."""

import json


def report_print(terminal, report: dict) -> None:
    terminal.write_sep("-", "fault tests: what was counted")
    for name, value in report.items():
        terminal.write_line(f"{name}: {json.dumps(value)}")
