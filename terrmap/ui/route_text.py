"""User-visible strings of the Routes panel, its stop list and its action, in one place."""

from __future__ import annotations

from typing import ClassVar


class Text:
    """User-visible strings of planning routes in the app."""

    # -- the action and the dock ---------------------------------------------------------
    DOCK = "Routes"
    DOCK_TIP = "Show or hide the route planner (a rep's day or week of visits)"
    ACTION = "Plan &Route…"
    ACTION_TIP = (
        "Plan a rep's day or week of visits: order, arrival times and the route on the map "
        "(Ctrl+Shift+R)"
    )
    NO_PROJECT = "Open a project to plan routes."

    # -- the form ---------------------------------------------------------------------------
    REP = "&Rep:"
    REP_TIP = "Whose visits to plan; the route starts and ends at the rep's home"
    REP_ITEM = "{id} · {owner}"
    REP_VACANT = "{id} · vacant"
    WHY_VACANT = "Vacant territory: there is no rep to route"
    WHY_NO_HOME = "No home location: set the rep's home in the territory's properties first"
    DAY = "&Day"
    DAY_TIP = "Plan one working day"
    WEEK = "&Week"
    WEEK_TIP = "Plan several working days starting on the date (weekends are skipped)"
    DATE_TIP = "The day to plan, or the first day of the week"
    DAYS = " days"
    DAYS_TIP = "Working days in a week plan (Monday to Friday, from the date on)"
    SOURCE = "&Stops:"
    SOURCE_TIP = "Which accounts to visit"
    SOURCES: ClassVar[dict[str, tuple[str, str]]] = {
        "due": (
            "Accounts due",
            "The rep's accounts due for a visit in the period (visits_per_year and "
            "last_visit columns); long-overdue ones are kept first when not all fit",
        ),
        "selected": (
            "Selected accounts",
            "The accounts selected on the map, or the accounts inside the selected units",
        ),
    }
    PARAMETERS = "Parameters"
    PARAMETERS_TIP = "Show or hide the working-day rules and solver settings"
    START = "Day s&tart:"
    START_TIP = "When the rep leaves home"
    LENGTH = "Day &length:"
    LENGTH_TIP = "Longest working day, home to home, lunch included"
    HOURS = " h"
    LUNCH = "L&unch"
    LUNCH_TIP = "Take a lunch break that starts inside the window"
    LUNCH_FROM_TIP = "Earliest start of the lunch break"
    LUNCH_TO_TIP = "Latest start of the lunch break"
    LUNCH_MIN_TIP = "Length of the lunch break"
    MINUTES = " min"
    SERVICE = "&Visit:"
    SERVICE_TIP = "Minutes spent at an account, unless its visit_minutes column says otherwise"
    SPEED = "S&peed:"
    SPEED_TIP = "Average driving speed for straight-line distances"
    KMH = " km/h"
    DETOUR = "Detou&r:"
    DETOUR_TIP = (
        "Straight-line distance × this factor ≈ road distance (1.3 is typical for a road network)"
    )
    START_AT = "Start &at:"
    START_AT_TIP = "Where each day starts, as 'latitude, longitude'; empty: the rep's home"
    END_AT = "&End at:"
    END_AT_TIP = "Where each day ends, as 'latitude, longitude'; empty: where it started"
    HOME_PLACEHOLDER = "the rep's home"
    START_PLACEHOLDER = "where the day starts"
    START_POINT = "Start point"
    END_POINT = "End point"
    ROADS = "R&oads:"
    ROADS_NONE = "straight line"
    ROADS_TIP = (
        "Measure distances on the roads of an OpenStreetMap extract (.osm.pbf) instead of "
        "straight lines; the first use of an extract takes a while, later ones are cached"
    )
    ROADS_CHOOSE = "…"
    ROADS_CHOOSE_TIP = "Choose an OpenStreetMap extract (.osm.pbf)"
    ROADS_CLEAR = "×"
    ROADS_CLEAR_TIP = "Use straight-line distances again"
    ROADS_TITLE = "Road Network"
    ROADS_FILTER = "OpenStreetMap extracts (*.osm.pbf *.pbf);;All files (*)"
    TIME_LIMIT = "T&ime limit:"
    TIME_LIMIT_TIP = "How long the solver may search; Stop ends it early with the best so far"
    SECONDS = " s"
    SEED = "S&eed:"
    SEED_TIP = "The same seed and settings give the same route; try another for an alternative"
    PLAN = "&Plan Route"
    PLAN_TIP = "Plan the route in the background; you can stop early and keep the best so far"

    # -- running ----------------------------------------------------------------------------
    PREPARING = "Preparing the stops…"
    STOP = "Stop"
    STOP_HINT = "Stop ends the search early and shows the best route found so far."
    FAILED = "Could not plan the route"
    NO_STOPS = "there are no stops to visit: {why}"
    NO_SELECTION = "select accounts (or units with accounts) on the map first"
    NONE_DUE = "none of the rep's accounts is due in the period"
    STOPPED_EARLY = "Stopped early: this is the best route found so far."
    CANCELLED = "Route planning cancelled."
    FAR_POINTS = (
        "{count} stop(s) lie over {km:.0f} km from a road; their times use a straight line."
    )

    # -- the result -------------------------------------------------------------------------
    ALL_DAYS = "All days"
    DAY_ITEM = "{date:%a %d %b}"
    SHOW_DAY_TIP = "Which day to draw and list; pick one day to reorder its stops"
    TOTALS_DAY = "{visits} visits · {km:,.1f} km · {drive} driving · back {end}"
    TOTALS_PLAN = "{days} days · {visits} visits · {km:,.1f} km · {drive} driving"
    DISTANCES = "Distances: {how}"
    EMPTY = "Plan a route to see its stops here."
    HEADERS = ("", "#", "Arrive", "Visit", "Account", "Address", "Leg", "Wait")
    HEADER_TIPS = (
        "Locked stops keep their position when you re-optimise the day",
        "Stop number on the map (restarts every day)",
        "Arrival at the account",
        "When the visit starts and ends",
        "The account",
        "The account's address",
        "Drive from the previous stop (or home): km and minutes",
        "Minutes waiting for the account's window to open",
    )
    LEG = "{km:.1f} km · {min} min"
    LUNCH_ROW = "lunch {start}–{end} after this stop"
    TABLE_TIP = (
        "Drag a stop (or press Ctrl+↑/↓) to change the order; times and totals update at "
        "once. Tick a stop to lock it in place."
    )
    ALL_DAYS_HINT = "Pick one day above to reorder its stops."
    UNPLACED = "Not placed ({count}):"
    UNPLACED_TIP = "Stops that did not fit, and why"
    UNPLACED_ITEM = "{name} ({id}): {reason}"
    REOPTIMISE = "Re-&optimise"
    REOPTIMISE_TIP = (
        "Improve the order of the shown day(s): unlocked stops are moved wherever that ends "
        "the day earlier or drives less, without breaking anything new; locked stops stay"
    )
    EXPORT = "&Export Route…"
    EXPORT_TIP = (
        "Write the route for the rep: GPX, KML, itinerary CSV, calendar, map links and an "
        "itinerary PDF"
    )
    EXPORT_TITLE = "Export Route to Folder"
    EXPORTED = "Wrote {count} files to {folder}: {names}"
    EXPORT_FAILED = "Could not export the route"
    CLEAR = "C&lear"
    CLEAR_TIP = "Remove the route from the map"
