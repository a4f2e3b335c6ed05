"""User-visible strings of the Optimise dialog, its preview and its action, in one place."""

from __future__ import annotations

from typing import ClassVar


class Text:
    """User-visible strings of optimising territories in the app."""

    # -- the action ---------------------------------------------------------------------
    ACTION = "&Optimise Territories…"
    ACTION_TIP = (
        "Carve new territories or rebalance the current plan automatically; "
        "you see a preview before anything changes (Ctrl+Shift+O)"
    )
    ACTION_TOOLTIP = f"Optimise Territories — {ACTION_TIP}"
    EDIT_NAME = "Optimise territories"

    # -- the form -------------------------------------------------------------------------
    TITLE = "Optimise Territories"
    INTRO = (
        "Let Terrmap draw contiguous, compact territories whose totals stay within the "
        "tolerance of their targets. Nothing changes until you apply the preview."
    )
    PLAN_GROUP = "Plan"
    BALANCE_GROUP = "Balance"
    LIMITS_GROUP = "Keep stable"
    SEARCH_GROUP = "Search"
    REBALANCE = "Re&balance the current plan"
    REBALANCE_TIP = (
        "Keep the territories you have and move as few units as possible between them "
        "until they are balanced"
    )
    CARVE = "&Carve new territories"
    CARVE_TIP = (
        "Draw territories from scratch, ignoring the current plan (locked units and "
        "territories still stay as they are)"
    )
    TERRITORIES = "&Territories:"
    TERRITORIES_TIP = (
        "How many territories to carve. More than the project has adds vacant "
        "territories; fewer leaves some territories empty. Rebalancing keeps the "
        "current number."
    )
    METRICS = "&Metrics:"
    METRICS_TIP = (
        "Tick one to three metrics; every ticked metric must end within the tolerance "
        "of each territory's target"
    )
    METRICS_LIMIT = "Tick one to three metrics."
    TOLERANCE = "T&olerance:"
    TOLERANCE_TIP = (
        "How far a territory's total may be from its target, in percent, and still count "
        "as balanced (the same band as the Balance panel's)"
    )
    LIMIT_MOVES = "Mo&ve at most"
    LIMIT_MOVES_TIP = (
        "Rebalance only: cap how much of the book may change owner, so reps keep most "
        "of their accounts"
    )
    MOVES_OF = "of the"
    MOVES_MEASURE_TIP = "What the cap counts: units, accounts or a value such as revenue"
    ANCHOR = "Start territories at the reps' &homes"
    ANCHOR_TIP = (
        "Carve only: each existing territory grows around its rep's home (where known) and "
        "keeps the unit the home lies in, so reps keep short drives"
    )
    LOCKS = "&Locked territories:"
    LOCKS_TIP = "Ticked territories keep exactly the units they have now"
    KEEP_SELECTED = "&Keep the {count:,} selected units where they are"
    KEEP_SELECTED_NONE = "&Keep the selected units where they are (select units on the map)"
    KEEP_SELECTED_TIP = "Units selected on the map keep their current territory"
    SEED = "&Seed:"
    SEED_TIP = "The same seed and settings give the same plan; try another for an alternative"
    TIME_LIMIT = "T&ime limit:"
    TIME_LIMIT_TIP = (
        "The optimiser stops after this long and shows the best plan found. On layers\n"
        "with few units a territory, a longer limit allows more tries at the tolerance"
    )
    SECONDS = " s"
    RUN = "&Run"
    RUN_TIP = "Optimise in the background; you can stop early and keep the best plan so far"
    CLOSE = "Close"

    # -- running ----------------------------------------------------------------------------
    PREPARING = "Preparing the units and their neighbours…"
    STOP = "Stop"
    STOP_HINT = "Stop ends the search early and previews the best plan found so far."
    PREPARING_HINT = "Stop cancels: the search has not begun yet."
    CANCELLED = "Optimisation cancelled before the search began."
    FAILED = "Could not optimise the territories"

    # -- the preview ------------------------------------------------------------------------
    HEADLINE: ClassVar[dict[str, str]] = {
        "rebalance": "Rebalanced plan for {territories} territories ({seconds:.1f} s)",
        "carve": "Carved plan for {territories} territories ({seconds:.1f} s)",
    }
    STOPPED_EARLY = "Stopped early: this is the best plan found so far."
    NOTHING_CHANGES = "The current plan is already the best found: nothing would change."
    STALE = (
        "The plan changed since this preview was made, so it can no longer be applied. "
        "Go back and run again."
    )
    MOVED = "<b>{units:,}</b> of {total:,} units change territory ({share:.1f} %)"
    MOVED_ACCOUNTS = ", with {accounts:,} accounts ({share:.1f} %)"
    NEW_TERRITORIES = "New vacant territories: {names}"
    EMPTIED = "Left without units: {names} (delete them after applying if not needed)"
    CONTIGUOUS = "Every territory is contiguous."
    NOT_CONTIGUOUS = "In several pieces: {names}"
    BALANCE_HEADERS = ("Metric", "Max deviation", "In band", "Tolerance")
    BALANCE_CHANGE = "{before:.1f} % → {after:.1f} %"
    IN_BAND_CHANGE = "{before} → {after} of {count}"
    MET = "met"
    NOT_MET = "not met"
    FORCED = "not met ({why} ≥ {bound:.1f} %)"
    MOVES_TAB = "Changes"
    TERRITORIES_TAB = "Territories"
    MOVES_HEADERS = ("From", "To", "Units", "Accounts")
    NO_MOVES = "No unit changes territory."
    SHOW_METRIC = "Show:"
    SHOW_METRIC_TIP = "The metric the territory table compares"
    TERRITORY_HEADERS = ("Territory", "Before", "After", "Change", "Dev. before", "Dev. after")
    TERRITORY_HEADER_TIPS = (
        "Territory and its colour",
        "Total now",
        "Total after applying the preview",
        "After minus before",
        "Deviation from the target now",
        "Deviation from the target after applying (red: outside the tolerance)",
    )
    UNASSIGNED = "Unassigned"
    ZOOM_CHANGES = "&Zoom to Changes"
    ZOOM_CHANGES_TIP = (
        "Show the units that would change territory whole on the map (they are selected "
        "while the preview is open)"
    )
    BACK = "← &Settings"
    BACK_TIP = "Change the settings and run again (this preview is dropped)"
    DISCARD = "&Discard"
    DISCARD_TIP = "Close without changing anything"
    APPLY = "&Apply"
    APPLY_TIP = "Apply the whole preview as one edit (Ctrl+Z undoes it)"
