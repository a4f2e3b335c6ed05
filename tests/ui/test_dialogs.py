"""The New Project and field-picker dialogs, and the territory table's headers."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from terrmap.ui.dialogs import FieldPickerDialog, NewProjectDialog
from terrmap.ui.territory_table import wrapped_header


def test_create_is_enabled_only_with_a_boundary_layer(qtbot, tmp_path) -> None:
    dialog = NewProjectDialog(str(tmp_path))
    qtbot.addWidget(dialog)
    create = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert create.text() == "Create"
    assert not create.isEnabled()

    dialog._accounts.edit.setText("crm.csv")
    assert not create.isEnabled()
    dialog._boundaries.edit.setText("  zcta.zip ")
    assert create.isEnabled()
    request = dialog.request()
    assert (request.boundaries, request.accounts, request.reps) == ("zcta.zip", "crm.csv", None)


def test_field_picker_offers_candidates_and_an_optional_name(qtbot) -> None:
    dialog = FieldPickerDialog(
        "/data/ri_custom.geojson", ["POSTCODE", "AREA_KEY"], ["POSTCODE", "AREA_KEY", "LAND"]
    )
    qtbot.addWidget(dialog)
    assert dialog.choice() == ("POSTCODE", None)
    dialog._name.setCurrentIndex(3)
    assert dialog.choice() == ("POSTCODE", "LAND")


def test_long_headers_wrap_at_the_space_nearest_their_middle() -> None:
    assert wrapped_header("Units") == "Units"
    assert wrapped_header("Potential") == "Potential"
    assert wrapped_header("Annual revenue") == "Annual\nrevenue"
    assert wrapped_header("Visits per year") == "Visits\nper year"
    assert wrapped_header("Territoryname") == "Territoryname"
