"""End-to-end document flows through the menus, on real files: New Project (Census and
custom layers), Import Accounts, and cancelling a job.

Modal dialogs (New Project, the field picker) run their own event loop inside
``exec()``; a polling timer finds them and drives their widgets like a user would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from terrmap.io.accounts import import_accounts
from terrmap.io.boundaries import read_boundaries
from terrmap.ui import dialogs
from terrmap.ui.dialogs import FieldPickerDialog, NewProjectDialog
from terrmap.ui.import_report import ImportReportDialog, summary_text
from terrmap.ui.import_report import Text as ReportText
from terrmap.ui.main_window import MainWindow
from terrmap.ui.progress_dialog import JobProgressDialog
from terrmap.ui.territory_table import SORT_ROLE

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RI_ZCTA = SHARED / "data" / "zcta" / "ri_zcta2010.geojson"
SALESFORCE = SHARED / "data" / "crm" / "salesforce_accounts_sample.csv"
JOB_TIMEOUT_MS = 30_000
DIALOG_TIMEOUT_MS = 10_000

needs_shared_data = pytest.mark.skipif(
    not (RI_ZCTA.is_file() and SALESFORCE.is_file()),
    reason=f"shared test data missing under {SHARED}",
)
# The import report raises itself; the offscreen platform cannot (see test_import_report).
shows_report = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)


# -- helpers -------------------------------------------------------------------------
class DialogDriver(QObject):
    """Waits for a visible dialog of one class and answers it with ``answer(dialog)``.

    Runs from a timer, so it also works while the dialog's ``exec()`` blocks the test.
    If ``answer`` raises, the dialog is rejected (no hang) and the error kept for
    `check`.
    """

    def __init__(self, cls: type[QDialog], answer: Callable[[QDialog], None]) -> None:
        super().__init__()
        self._cls, self._answer = cls, answer
        self.answered = False
        self.error: BaseException | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        found = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, self._cls) and w.isVisible()
        ]
        if not found:
            return
        self._timer.stop()
        dialog = found[0]
        try:
            self._answer(dialog)
        except BaseException as error:  # reported by check(); never leave exec() hanging
            self.error = error
            dialog.reject()
        self.answered = True

    def check(self) -> None:
        self._timer.stop()
        if self.error is not None:
            raise self.error
        assert self.answered, f"no {self._cls.__name__} appeared"


def _buddy(dialog: QWidget, label_text: str) -> QWidget:
    """The field a form label of ``dialog`` names (its buddy)."""
    labels = [label for label in dialog.findChildren(QLabel) if label.text() == label_text]
    assert len(labels) == 1, label_text
    buddy = labels[0].buddy()
    assert buddy is not None, label_text
    return buddy


def _ok_button(dialog: QDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok)


def _fill_new_project(qtbot, boundaries: Path, accounts: Path | None, reps: Path | None):
    def answer(dialog: QDialog) -> None:
        create = _ok_button(dialog)
        assert create.text() == dialogs.Text.CREATE
        assert not create.isEnabled(), "Create needs a boundary layer"
        for label, path in (
            (dialogs.Text.BOUNDARIES, boundaries),
            (dialogs.Text.ACCOUNTS, accounts),
            (dialogs.Text.REPS, reps),
        ):
            if path is not None:
                edit = _buddy(dialog, label)
                assert isinstance(edit, QLineEdit)
                qtbot.keyClicks(edit, str(path))
        assert create.isEnabled()
        qtbot.mouseClick(create, Qt.MouseButton.LeftButton)

    return answer


def _record_message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Replace the modal message boxes by a record (kind, title, text)."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("critical", "information", "warning"):
        monkeypatch.setattr(
            QMessageBox,
            kind,
            lambda _parent, title, text, *a, _kind=kind: shown.append((_kind, title, text)),
        )
    return shown


@pytest.fixture
def empty_window(qtbot) -> MainWindow:
    """A shown main window with no document."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def _reports(window: MainWindow) -> list[ImportReportDialog]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ImportReportDialog) and w.isVisible() and w.parent() is window
    ]


def _report_rows(dialog: ImportReportDialog) -> list[tuple]:
    model = dialog.model
    return [
        tuple(model.data(model.index(r, c)) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def _expected_rows(problems) -> list[tuple]:
    return [
        (p.line, p.account_id, ReportText.SEVERITY[p.severity], p.reason)
        for p in sorted(problems, key=lambda p: p.line)
    ]


def _table_account_total(window: MainWindow) -> float:
    model = window.table.source()
    column = 2 + model.metric_columns.index("accounts")  # after Territory and Owner
    return sum(model.data(model.index(r, column), SORT_ROLE) for r in range(model.rowCount()))


# -- New Project ---------------------------------------------------------------------
@needs_shared_data
@shows_report
def test_new_project_through_the_menu_builds_it_and_reports_the_import(
    empty_window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = empty_window
    reps = tmp_path / "reps.csv"
    reps.write_text(
        "id,name,color\nR1,Ana Silva,#4477AA\nR2,Ben Ortiz,#EE6677\nR3,Cy Park,#228833\n",
        encoding="utf-8",
    )
    shown = _record_message_boxes(monkeypatch)
    # What the import places and reports, worked out without the app.
    units = read_boundaries(RI_ZCTA).frame
    expected = import_accounts(SALESFORCE, units)
    assert expected.problems, "the Salesforce sample has rows outside Rhode Island"

    driver = DialogDriver(NewProjectDialog, _fill_new_project(qtbot, RI_ZCTA, SALESFORCE, reps))
    with qtbot.waitSignal(window.document_installed, timeout=JOB_TIMEOUT_MS):
        window.file_actions["new"].trigger()
    driver.check()

    project = window.project
    assert shown == []
    assert len(project.units) == 77
    assert project.units.kind == "zcta"
    assert sorted(project.units.ids) == sorted(units.index)
    assert len(project.accounts) == len(expected.frame) == 5
    assert list(project.accounts.frame["account_id"]) == list(expected.frame["account_id"])
    assert [t.id for t in project.territories] == ["R1", "R2", "R3"]
    assert [t.color for t in project.territories] == ["#4477AA", "#EE6677", "#228833"]
    assert window.document.path is None
    assert window.document.modified
    assert window.isWindowModified()
    assert window.windowTitle().startswith("Untitled")
    assert _table_account_total(window) == len(expected.frame)

    qtbot.waitUntil(lambda: len(_reports(window)) == 1, timeout=DIALOG_TIMEOUT_MS)
    report = _reports(window)[0]
    assert SALESFORCE.name in report.windowTitle()
    assert _report_rows(report) == _expected_rows(expected.problems)
    assert report.summary_label.text() == summary_text(expected.problems, len(expected.frame))


@needs_shared_data
def test_new_project_on_a_custom_layer_asks_for_the_id_and_name_fields(
    empty_window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = empty_window
    zcta = gpd.read_file(RI_ZCTA)
    custom = gpd.GeoDataFrame(
        {
            "AREA_CODE": zcta["ZCTA5CE10"],
            "LABEL": "Area " + zcta["ZCTA5CE10"],
            "REGION": "RI",  # not unique: no id candidate
        },
        geometry=zcta.geometry,
        crs=zcta.crs,
    )
    layer = tmp_path / "sales_areas.geojson"
    custom.to_file(layer, driver="GeoJSON")
    shown = _record_message_boxes(monkeypatch)
    offered: dict[str, list[str]] = {}

    def pick_fields(dialog: QDialog) -> None:
        id_combo = _buddy(dialog, dialogs.Text.ID_FIELD)
        name_combo = _buddy(dialog, dialogs.Text.NAME_FIELD)
        assert isinstance(id_combo, QComboBox)
        assert isinstance(name_combo, QComboBox)
        offered["id"] = [id_combo.itemText(i) for i in range(id_combo.count())]
        offered["name"] = [name_combo.itemText(i) for i in range(name_combo.count())]
        id_combo.setCurrentIndex(id_combo.findText("AREA_CODE"))
        name_combo.setCurrentIndex(name_combo.findData("LABEL"))
        qtbot.mouseClick(_ok_button(dialog), Qt.MouseButton.LeftButton)

    new_project = DialogDriver(NewProjectDialog, _fill_new_project(qtbot, layer, None, None))
    picker = DialogDriver(FieldPickerDialog, pick_fields)
    with qtbot.waitSignal(window.document_installed, timeout=JOB_TIMEOUT_MS):
        window.file_actions["new"].trigger()
    new_project.check()
    picker.check()

    assert shown == []
    assert offered["id"][:2] == ["AREA_CODE", "LABEL"]  # unique fields first
    assert offered["name"] == [dialogs.Text.NO_NAME, "AREA_CODE", "LABEL", "REGION"]
    project = window.project
    assert project.units.kind == "custom"
    assert project.metadata["id_field"] == "AREA_CODE"
    assert project.metadata["name_field"] == "LABEL"
    assert sorted(project.units.ids) == sorted(zcta["ZCTA5CE10"])
    names = project.units.frame["name"]
    assert all(names.loc[unit] == f"Area {unit}" for unit in project.units.ids)
    assert len(project.territories) == 0
    assert window.isWindowModified()
    assert _reports(window) == []  # no accounts, no report


# -- Import Accounts -----------------------------------------------------------------
@shows_report
def test_import_accounts_through_the_menu_places_rows_and_reports_the_rest(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    book = tmp_path / "crm_export.csv"
    book.write_text(
        "account_id,name,latitude,longitude,zip\n"
        "A-1,Boston Harbor Supply,42.3601,-71.0589,\n"  # line 2
        "A-2,Albany Capital Foods,42.6526,-73.7562,\n"  # line 3
        "A-3,Nowhere Ltd,,,\n"  # line 4: no coordinates, no ZIP
        "A-4,Hartford Insurance Outfitters,41.7658,-72.6734,\n"  # line 5
        "A-5,Burlington Maple Co,44.4759,-73.2121,\n",  # line 6
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(book), ""))
    shown = _record_message_boxes(monkeypatch)
    territories = [t.id for t in window.project.territories]
    assert not window.isWindowModified()

    with qtbot.waitSignal(window.document_installed, timeout=JOB_TIMEOUT_MS):
        window.file_actions["import_accounts"].trigger()

    assert shown == []
    project = window.project
    assert list(project.accounts.frame["account_id"]) == ["A-1", "A-2", "A-4", "A-5"]
    assert _table_account_total(window) == 4
    assert [t.id for t in project.territories] == territories
    assert window.isWindowModified()

    qtbot.waitUntil(lambda: len(_reports(window)) == 1, timeout=DIALOG_TIMEOUT_MS)
    report = _reports(window)[0]
    assert book.name in report.windowTitle()
    rows = _report_rows(report)
    not_placed = [row for row in rows if row[2] == ReportText.SEVERITY["error"]]
    assert [row[:3] for row in not_placed] == [(4, "A-3", "Not placed")]
    assert report.summary_label.text().startswith("4 accounts placed · 1 row not placed")


# -- Cancel --------------------------------------------------------------------------
def test_cancelling_a_load_keeps_the_current_document(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import terrmap.sample

    # Hold the job once the sample is read, so Cancel is pressed while it surely runs.
    read, release = threading.Event(), threading.Event()
    real_load = terrmap.sample.load_sample_project

    def held_load(*args, **kwargs):
        project = real_load(*args, **kwargs)
        read.set()
        release.wait(timeout=30)
        return project

    monkeypatch.setattr(terrmap.sample, "load_sample_project", held_load)
    shown = _record_message_boxes(monkeypatch)
    installed: list[None] = []
    window.document_installed.connect(lambda: installed.append(None))
    document, project = window.document, window.project

    try:
        window.file_actions["sample"].trigger()
        assert window.jobs.busy
        assert not window.file_actions["open"].isEnabled()
        progress = window.findChild(JobProgressDialog)
        assert progress is not None
        qtbot.waitUntil(progress.isVisible, timeout=DIALOG_TIMEOUT_MS)  # after its delay
        assert read.wait(timeout=JOB_TIMEOUT_MS / 1000)
        cancel = progress.findChild(QPushButton)
        assert cancel is not None
        assert cancel.text() == "Cancel"
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    finally:
        release.set()

    assert not window.jobs.busy
    assert window.file_actions["open"].isEnabled()
    qtbot.waitUntil(lambda: not progress.isVisible(), timeout=DIALOG_TIMEOUT_MS)
    window.jobs.shutdown()  # waits for the worker to give up the cancelled job
    QApplication.processEvents()  # anything it might still have queued
    assert installed == []
    assert shown == []
    assert window.document is document
    assert window.project is project
