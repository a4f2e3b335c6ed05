"""User-visible strings of printing: the Print Layout dialog, its actions and messages."""

from __future__ import annotations

from typing import ClassVar


class Text:
    """User-visible strings of the Print Layout dialog and its controller."""

    TITLE = "Print Layout"
    # File menu actions: key → (text, tip shown in the status bar and as tooltip).
    ACTIONS: ClassVar[dict[str, tuple[str, str]]] = {
        "print": (
            "&Print…",
            "Lay out the map for paper: preview, print, or export PDF, SVG or PNG",
        ),
        "export_map": (
            "Export &Map…",
            "Save the map page as a PDF, SVG or PNG file (opens the print layout)",
        ),
        "export_atlas": (
            "Export &Atlas…",
            "Save a PDF with a page for each territory or district (opens the print layout)",
        ),
    }

    # -- the form -------------------------------------------------------------------------
    DOCUMENT_GROUP = "Document"
    CONTENTS = "&Print:"
    CONTENTS_TIP = "One map page, or an atlas: a cover map and a section per territory or district"
    CONTENT_CHOICES: ClassVar[dict[str, str]] = {
        "map": "Map page",
        "territory": "Atlas — a section per territory",
        "parent": "Atlas — a section per district",
    }
    PAPER_GROUP = "Paper"
    PAGE = "Paper si&ze:"
    PAGE_TIP = "The sheet the layout is drawn on"
    PAGE_CHOICES: ClassVar[dict[str, str]] = {
        "letter": "Letter (8.5 × 11 in)",
        "legal": "Legal (8.5 × 14 in)",
        "tabloid": "Tabloid (11 × 17 in)",
        "a4": "A4 (210 × 297 mm)",
        "a3": "A3 (297 × 420 mm)",
    }
    ORIENTATION = "Orie&ntation:"
    ORIENTATION_TIP = "Portrait (tall) or landscape (wide)"
    PORTRAIT, LANDSCAPE = "Portrait", "Landscape"
    MARGINS = "Mar&gins:"
    MARGINS_TIP = "White border on every side of the sheet"
    MM = " mm"
    DPI = "PNG &resolution:"
    DPI_TIP = "Dots per inch of PNG exports (PDF, SVG and paper stay sharp at any size)"
    DPI_SUFFIX = " dpi"
    TEXT_GROUP = "Heading"
    HEADING_TITLE = "&Title:"
    TITLE_TIP = "The large heading at the top of the page"
    SUBTITLE = "S&ubtitle:"
    SUBTITLE_TIP = "The line under the title (today's date unless you change it)"
    MAP_GROUP = "Map"
    EXTENT = "E&xtent:"
    EXTENT_TIP = "Print the whole project, or what the map window shows now"
    EXTENT_CHOICES: ClassVar[dict[str, str]] = {
        "project": "Whole project",
        "view": "Current view",
    }
    DISTANCE = "Scale &bar in:"
    DISTANCE_TIP = "Units of the scale bar"
    DISTANCE_CHOICES: ClassVar[dict[str, str]] = {"km": "Kilometres", "mi": "Miles"}
    SHOW_GROUP = "Show"
    # Toggle key (a PrintLayout field) → (label, tooltip).
    TOGGLES: ClassVar[dict[str, tuple[str, str]]] = {
        "legend": ("&Legend", "Territory colours, reps and the chosen totals"),
        "scale_bar": ("Sc&ale bar", "Distance scale at the map's centre"),
        "north_arrow": ("North arro&w", "Arrow pointing to true north"),
        "unit_labels": ("Un&it labels", "Name every unit (county, ZIP) on the map"),
        "territory_labels": ("Territory labe&ls", "Territory names on the map"),
        "accounts": ("A&ccounts", "Account points (and the atlas's account lists)"),
        "routes": ("R&outes", "The route planned in the Routes dock"),
        "summary_table": ("Summary &table", "A row of totals per territory"),
        "footer": ("&Footer", "Data source, synthetic-data notice and page numbers"),
    }
    ROUTES_NONE_TIP = "Plan a route first (Tools ▸ Plan Route…) to print it"
    METRICS_GROUP = "Totals in the legend and table"
    METRICS_TIP = "Which totals the legend and the summary table show"

    # -- the dialog -----------------------------------------------------------------------
    PAGE_OF = "Page {page} of {pages}"
    PAGE_ONE = "Page 1 of 1"
    PREVIOUS_TIP = "Previous page (Page Up)"
    NEXT_TIP = "Next page (Page Down)"
    RENDERING = "Updating preview…"
    PREVIEW_FAILED = "No preview: {reason}"
    PRINT = "&Print…"
    PRINT_TIP = "Send the layout to a printer"
    EXPORT_PDF = "Export P&DF…"
    EXPORT_PDF_TIP = "Save every page as a vector PDF"
    EXPORT_SVG = "Export &SVG…"
    EXPORT_SVG_TIP = "Save the page shown as an SVG drawing"
    EXPORT_PNG = "Export P&NG…"
    EXPORT_PNG_TIP = "Save the page shown as a PNG image at the chosen resolution"
    ATLAS_PDF_ONLY = "An atlas has many pages: export it as PDF"
    CLOSE = "Close"

    # -- files and messages ---------------------------------------------------------------
    FILTERS: ClassVar[dict[str, str]] = {
        "pdf": "PDF documents (*.pdf)",
        "svg": "SVG drawings (*.svg)",
        "png": "PNG images (*.png)",
    }
    SAVE_TITLE = "Export {kind}"
    ATLAS_FILE = "{name} atlas"
    DEFAULT_NAME = "territory-map"
    WRITING = "Writing {name}…"
    ATLAS_PAGE = "Writing {name}: {message}"
    WROTE = "Wrote {name} ({pages})"
    PRINTED = "Sent {pages} to {printer}"
    ATLAS_CANCELLED = "Atlas cancelled; no file was written"
    WRITE_FAILED = "Could not write {name}"
    PRINT_FAILED = "Could not print"
    PREVIEW_ERROR = "Could not lay out the page"
    FAILED_DETAIL = "<p><b>{title}</b></p><p>{path}</p><p>{detail}</p>"
