"""How a map looks: colours and line widths, one value shared by screen and print."""

from __future__ import annotations

from dataclasses import dataclass

from terrmap.core.palette import UNASSIGNED_COLOR


@dataclass(frozen=True)
class MapStyle:
    """Drawing options of `terrmap.render.MapRenderer`.

    Widths are in device pixels (cosmetic), so lines keep their weight at any zoom.
    """

    background: str = "#EEF2F6"
    unassigned_fill: str = UNASSIGNED_COLOR
    unassigned_hatch: str = "#A8A8A8"
    unit_border: str = "#FFFFFF"
    unit_border_width: float = 0.6
    territory_border: str = "#3A4450"
    territory_border_width: float = 1.8
    context_fill: str = "#F8F9FA"
    context_border: str = "#9AA5B1"
    context_border_width: float = 0.8
    account_color: str = "#A626323D"  # #AARRGGBB: dense clusters stay readable
    account_size: float = 2.5
    home_fill: str = "#FFFFFF"
    home_border: str = "#1F2933"
    home_size: float = 13.0
    show_accounts: bool = True
    show_homes: bool = True
    show_context: bool = True
    antialias: bool = True
