"""User-visible strings of the main window, in one place."""

from __future__ import annotations

from typing import ClassVar


class Text:
    """User-visible strings of the main window."""

    APP = "Terrmap"
    UNTITLED = "Untitled"
    SYNTHETIC = "[synthetic sample]"
    REPLACING = "opening another project"
    FILE, VIEW, HELP = "&File", "&View", "&Help"
    RECENT = "Open &Recent"
    NO_RECENT = "(none)"
    PROJECT_FILTER = "Terrmap projects (*.terrmap.gpkg *.gpkg);;All files (*)"
    ALIGNMENT_FILTER = "CSV files (*.csv)"
    ACCOUNT_FILTER = "Account books (*.csv *.xlsx *.txt);;All files (*)"
    LONLAT = "{lat:.4f}°, {lon:.4f}°"
    UNIT = "{name} — {territory}"
    UNASSIGNED = "unassigned"
    SAVED = "Saved {name}"
    SUMMARY = "{units:,} units · {accounts:,} accounts · {territories} territories"
    EXPORTED = "Alignment written to {name}"
    LONLAT_TIP = "Latitude and longitude under the pointer"
    UNIT_TIP = "The unit under the pointer, its territory and values"
    SELECTION_TIP = "What is selected on the map and its totals"
    EDIT_FAILED = "Edit not possible"
    # Menu actions: key → (text, tip shown in the status bar and as tooltip).
    ACTIONS: ClassVar[dict[str, tuple[str, str]]] = {
        "new": ("&New Project…", "Build a project from a boundary layer, accounts and reps"),
        "open": ("&Open…", "Open a saved Terrmap project (.terrmap.gpkg)"),
        "sample": ("Open &Sample", "Open the bundled Northeast sample (synthetic accounts)"),
        "save": ("&Save", "Save the project to its file"),
        "save_as": ("Save &As…", "Save the project to a new file"),
        "import_accounts": (
            "&Import Accounts…",
            "Replace the accounts with a CSV or Excel export from your CRM",
        ),
        "export_alignment": (
            "&Export Alignment…",
            "Write each unit's territory to a CSV file for your CRM",
        ),
        "quit": ("&Quit", "Close Terrmap"),
        "full_extent": ("Zoom to &Full Extent", "Show the whole project"),
        "zoom_in": ("Zoom &In", "Zoom in on the centre of the map"),
        "zoom_out": ("Zoom &Out", "Zoom out from the centre of the map"),
        "about": ("&About Terrmap", "Version, data sources and licence"),
    }
