"""The pure layers never load Qt: they must run headless, in workers and in the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_MODULES = [
    "terrmap.core",
    "terrmap.core.metrics",
    "terrmap.core.commands",
    "terrmap.io.boundaries",
    "terrmap.io.accounts",
    "terrmap.io.geocode",
    "terrmap.io.projectfile",
    "terrmap.io.alignment",
    "terrmap.io.newproject",
    "terrmap.sample",
    "terrmap.cli",
    "terrmap.optimize",
    "terrmap.io.reports",
    "terrmap.io.report_workbook",
    "terrmap.web",
    "terrmap.routing.planner",
    "terrmap.routing.roads",
    "terrmap.routing.from_project",
    "terrmap.routing.exports",
    "terrmap.routing.bench",
    "terrmap._cli_route",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_does_not_import_qt(module):
    code = (
        f"import sys, {module}\n"
        "qt = {'PySide6', 'pyqtgraph', 'shiboken6'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} imports Qt: {result.stdout.strip()}"
