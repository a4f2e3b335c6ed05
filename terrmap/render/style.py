"""How a map looks: colours, line widths and layer options, one value shared by screen
and print (the layers panel edits it, the renderer and every export read it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from terrmap.core.palette import UNASSIGNED_COLOR

if TYPE_CHECKING:
    from terrmap.core.classify import Classification


@dataclass(frozen=True)
class LayerStyle:
    """Visibility, opacity (0–1) and labels of one map layer."""

    visible: bool = True
    opacity: float = 1.0
    labels: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.opacity <= 1.0:
            raise ValueError(f"opacity must be between 0 and 1, got {self.opacity}")


@dataclass(frozen=True)
class MapStyle:
    """Drawing options of `terrmap.render.MapRenderer`.

    Widths are in device pixels (cosmetic), so lines keep their weight at any zoom.

    Layers: ``units`` (boundary units; ``labels`` names units large enough on screen),
    ``territories`` (territory outlines; ``labels`` names each territory), ``accounts``,
    ``homes`` (rep homes; ``labels`` names the rep) and ``context`` (state outlines).
    ``choropleth`` colours units by classes of a metric instead of by territory;
    ``account_colors`` colours account dots by classes (``classes`` per account
    position) and ``account_size_column`` sizes them by a numeric account column.
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
    label_color: str = "#1F2933"
    label_halo: str = "#FFFFFF"
    label_size: float = 9.0  # points
    units: LayerStyle = field(default_factory=LayerStyle)
    territories: LayerStyle = field(default_factory=lambda: LayerStyle(labels=True))
    accounts: LayerStyle = field(default_factory=LayerStyle)
    homes: LayerStyle = field(default_factory=LayerStyle)
    context: LayerStyle = field(default_factory=LayerStyle)
    choropleth: Classification | None = None
    account_colors: Classification | None = None
    account_size_column: str | None = None
    antialias: bool = True
