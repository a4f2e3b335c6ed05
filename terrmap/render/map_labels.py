"""Which labels a map frame shows: territory names, rep names and unit names.

Territory names go first (they matter most and are few), then rep names beside their
home markers, then unit names for units big enough on screen, largest first. A name is
only shown where its box fits: unit names must lie inside their unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from PySide6.QtCore import QRectF

from terrmap.render.labels import LabelFont, LabelLayout

if TYPE_CHECKING:
    from PySide6.QtCore import QPointF

    from terrmap.core.project import Project
    from terrmap.render.frame import Frame
    from terrmap.render.labels import ShapeCache
    from terrmap.render.scene import MapScene
    from terrmap.render.style import MapStyle

TERRITORY_SCALE = 1.15  # territory names are set a little larger, in bold
TERRITORY_NUDGE = 1.1  # label heights a territory name may move off its point
MIN_TERRITORY_PIXELS = 30.0  # skip names of territories smaller than this on screen
MIN_UNIT_PIXELS = (36.0, 14.0)  # a unit needs at least this box (w, h) to get a name
MAX_UNIT_CANDIDATES = 600
HOME_GAP = 3.0  # px between a home marker and its name


class UnitAnchors:
    """The name of each unit and a label point inside it (computed when first needed)."""

    def __init__(self, geometry: np.ndarray, project: Project) -> None:
        self._geometry = geometry
        self.xy = np.full((len(geometry), 2), np.nan)
        frame = project.units.frame
        source = frame["name"] if "name" in frame.columns else project.units.ids
        self.names: list[str] = [str(name) for name in source]

    def of(self, positions: np.ndarray) -> np.ndarray:
        """``(k, 2)`` label points of ``positions``."""
        missing = positions[np.isnan(self.xy[positions, 0])]
        if len(missing):
            points = shapely.point_on_surface(self._geometry[missing])
            self.xy[missing, 0] = shapely.get_x(points)
            self.xy[missing, 1] = shapely.get_y(points)
        return self.xy[positions]


def place_labels(
    frame: Frame,
    project: Project,
    scene: MapScene,
    homes: list[tuple[QPointF, int]],
    shapes: ShapeCache,
    anchors: UnitAnchors,
) -> LabelLayout:
    """Lay out the labels the style asks for, in priority order, without overlaps."""
    style = frame.style
    layout = LabelLayout(frame.viewport.width, frame.viewport.height, shapes)
    if style.homes.visible:
        # Names never hide a rep's home marker.
        radius = style.home_size / 2
        for at, _index in homes:
            layout.reserve(QRectF(at.x() - radius, at.y() - radius, 2 * radius, 2 * radius))
    if style.territories.visible and style.territories.labels:
        _territory_labels(layout, frame, project, scene)
    if style.homes.visible and style.homes.labels:
        _home_labels(layout, frame, project, homes)
    if style.units.visible and style.units.labels:
        _unit_labels(layout, frame, project, scene, anchors)
    return layout


def territory_font(style: MapStyle) -> LabelFont:
    """The font of territory names."""
    return LabelFont(style.label_size * TERRITORY_SCALE, bold=True)


def _territory_labels(layout: LabelLayout, frame: Frame, project: Project, scene: MapScene) -> None:
    font = territory_font(frame.style)
    scale = frame.viewport.scale
    territories = project.territories
    found = [
        (code, anchor)
        for code, anchor in scene.territories.anchors(project.plan.codes).items()
        if anchor is not None and code < len(territories)
    ]
    found.sort(key=lambda item: -item[1].width * item[1].height)
    for code, anchor in found:
        if max(anchor.width, anchor.height) * scale < MIN_TERRITORY_PIXELS:
            continue
        x, y = frame.viewport.world_to_screen(anchor.x, anchor.y)
        name = territories[code].name
        # Centred on the label point, else just above or below it (clear of a marker).
        step = layout.size(name, font)[1] * TERRITORY_NUDGE
        for dy in (0.0, -step, step):
            if layout.place(name, font, x, y + dy, kind="territory", key=code):
                break


def _home_labels(
    layout: LabelLayout, frame: Frame, project: Project, homes: list[tuple[QPointF, int]]
) -> None:
    font = LabelFont(frame.style.label_size)
    offset = frame.style.home_size / 2 + HOME_GAP
    for at, index in homes:
        territory = project.territories[index]
        text = territory.owner or territory.name
        width, _height = layout.size(text, font)
        for x in (at.x() + offset, at.x() - offset - width):
            if layout.place(text, font, x, at.y(), align="left", kind="home", key=index):
                break


def _unit_labels(
    layout: LabelLayout, frame: Frame, project: Project, scene: MapScene, anchors: UnitAnchors
) -> None:
    font = LabelFont(frame.style.label_size)
    units = scene.units
    scale = frame.viewport.scale
    b = units.bounds
    width_px, height_px = (b[:, 2] - b[:, 0]) * scale, (b[:, 3] - b[:, 1]) * scale
    big = (width_px >= MIN_UNIT_PIXELS[0]) & (height_px >= MIN_UNIT_PIXELS[1])
    candidates = np.flatnonzero(big & frame.visible_units_mask(b))
    if not len(candidates):
        return
    area = width_px[candidates] * height_px[candidates]
    candidates = candidates[np.argsort(-area, kind="stable")][:MAX_UNIT_CANDIDATES]
    names = [anchors.names[i] for i in candidates.tolist()]
    sizes = np.array([layout.size(name, font) for name in names]).reshape(-1, 2)
    fits = (sizes[:, 0] <= width_px[candidates]) & (sizes[:, 1] <= height_px[candidates])
    candidates, sizes = candidates[fits], sizes[fits]
    names = [name for name, fit in zip(names, fits.tolist(), strict=True) if fit]
    if not len(candidates):
        return
    points = anchors.of(candidates)
    # A name's box must lie inside its unit: test its four corners, all in one call.
    half = sizes / 2 / scale
    xs = points[:, :1] + half[:, :1] * np.array([[-1, 1, -1, 1]])
    ys = points[:, 1:] + half[:, 1:] * np.array([[-1, -1, 1, 1]])
    geometry = units.levels[units.level_index(frame.viewport.pixel_size)].geometry
    inside = shapely.contains_xy(np.repeat(geometry[candidates], 4), xs.ravel(), ys.ravel())
    inside = inside.reshape(-1, 4).all(axis=1)
    for position, name, (wx, wy), ok in zip(
        candidates.tolist(), names, points.tolist(), inside.tolist(), strict=True
    ):
        if ok:
            x, y = frame.viewport.world_to_screen(wx, wy)
            layout.place(name, font, x, y, key=position)
