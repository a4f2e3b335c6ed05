"""User-visible strings of the Layers panel, in one place."""

from __future__ import annotations

from typing import ClassVar


class Text:
    """User-visible strings of the Layers panel."""

    HOMES = "Rep homes"
    ACCOUNTS = "Accounts"
    TERRITORIES = "Territory outlines"
    UNITS = "Boundary units"
    UNITS_BY_KIND: ClassVar[dict[str, str]] = {"zcta": "ZIP codes (ZCTA)", "county": "Counties"}
    STATES = "State outlines"
    CONTEXT = "Context layers"

    OPACITY = "Opacity"
    PERCENT = "{value} %"
    LABELS = "Labels"
    COLOUR_BY = "Colour by"
    SIZE_BY = "Size by"
    METHOD = "Method"
    CLASSES = "Classes"
    FORM_LABELS = (OPACITY, LABELS, COLOUR_BY, SIZE_BY, METHOD, CLASSES)
    BY_TERRITORY = "Territory"
    NOTHING = "None"
    METHODS: ClassVar[dict[str, str]] = {
        "quantile": "Quantile",
        "equal": "Equal interval",
        "natural": "Natural breaks",
    }
    LABEL_NAMES: ClassVar[dict[str, str]] = {
        "units": "Unit names",
        "territories": "Territory names",
        "homes": "Rep names",
    }

    VISIBLE_TIP = "Show or hide {layer} on the map"
    EXPAND_TIP = "Show or hide the options of {layer}"
    OPACITY_TIP = "How opaque {layer} are drawn: 0 % is invisible, 100 % fully opaque"
    LABELS_TIP: ClassVar[dict[str, str]] = {
        "units": "Write each unit's name where it is large enough on screen",
        "territories": "Write each territory's name on the map",
        "homes": "Write the rep's name next to each home",
    }
    UNIT_COLOUR_TIP = (
        "Fill units with their territory's colour, or with classes of a metric "
        "(a choropleth map) counted as the current plan counts it"
    )
    ACCOUNT_COLOUR_TIP = "Colour account dots by classes of a numeric account column"
    ACCOUNT_SIZE_TIP = "Draw larger dots for accounts with larger values of a column"
    METHOD_TIP = (
        "How class breaks are chosen: Quantile puts equally many items in each class, "
        "Equal interval makes classes of equal width, Natural breaks (Jenks) follows "
        "gaps in the data"
    )
    CLASS_COUNT_TIP = "Number of classes (fewer are made when there are fewer distinct values)"
    LEGEND_TIP = "Colour and value range of each class; the grey number counts its items"
    ICON_TIP = "How {layer} look on the map"
