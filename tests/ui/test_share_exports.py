"""File ▸ Export Web Map… and Export Report…: real files from the sample, errors shown."""

from __future__ import annotations

import csv
import re

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from terrmap.ui.share_action import Text
from tests.web import layer_features

WAIT_MS = 60_000


@pytest.fixture
def save_as(monkeypatch):
    """Make the save dialog answer with a path and a file type."""
    answer: list[tuple[str, str]] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: answer[0])
    return answer


def export(qtbot, window, action: str) -> None:
    with qtbot.waitSignal(window.sharing.runner.finished, timeout=WAIT_MS):
        window.sharing.actions[action].trigger()


def test_offline_web_map_from_the_file_menu(qtbot, window, save_as, tmp_path):
    path = tmp_path / "ne.html"
    save_as.append((str(path), Text.WEB_OFFLINE))
    export(qtbot, window, "web")
    page = path.read_text(encoding="utf-8")
    assert "Leaflet 1.9.4" in page  # inlined, not fetched
    assert not re.search(r"<script[^>]+src=\"https?://", page)
    assert len(layer_features(page)) == len(window.project.units)
    assert window.statusBar().currentMessage() == Text.WROTE.format(name="ne.html")


def test_report_workbook_and_owner_list(qtbot, window, save_as, tmp_path):
    book = tmp_path / "ne.xlsx"
    save_as.append((str(book), Text.REPORT_XLSX))
    export(qtbot, window, "report")
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["Territories", "Accounts", "Alignment", "About"]
    assert workbook["Accounts"].max_row == len(window.project.accounts) + 1
    save_as[0] = (str(tmp_path / "owners.xlsx"), Text.REPORT_OWNERS)
    export(qtbot, window, "report")
    with (tmp_path / "owners.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["account_id", "name", "owner", "territory_id", "territory_name"]
    assert len(rows) == len(window.project.accounts) + 1


def test_unwritable_place_is_reported(qtbot, window, save_as, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text: shown.append(title))
    save_as.append((str(tmp_path / "missing" / "ne.html"), Text.WEB_ONLINE))
    with qtbot.waitSignal(window.sharing.runner.failed, timeout=WAIT_MS):
        window.sharing.actions["web"].trigger()
    assert shown == [Text.FAILED.format(name="ne.html")]
    assert not (tmp_path / "missing").exists()
