"""Point layers: account dots (optionally classed and sized) and rep home markers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPen

from terrmap.core.classify import NO_DATA_COLOR
from terrmap.render.qt_geometry import polygon_from_xy

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.render.frame import Frame
    from terrmap.render.scene import MapScene

MIN_DOT, MAX_DOT = 2.0, 9.0  # px: sized dots, smallest and largest value
SIZE_STEPS = 8  # sized dots are drawn in this many sizes (one call each)
ROUND_FROM = 4.0  # px: dots at least this big are drawn round, smaller ones square


def account_sizes(project: Project, column: str | None, default: float) -> np.ndarray:
    """Dot size (px) per account position: ``default``, or sqrt-scaled by ``column``.

    The area of a dot grows with the value, which is how readers compare circles.
    Missing values get the smallest size.
    """
    count = len(project.accounts)
    if column is None or column not in project.accounts.frame.columns:
        return np.full(count, default)
    values = project.accounts.frame[column].to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(count, MIN_DOT)
    low, high = np.min(values[finite]), np.max(values[finite])
    share = np.zeros(count)
    if high > low:
        share[finite] = (values[finite] - low) / (high - low)
    sizes = MIN_DOT + (MAX_DOT - MIN_DOT) * np.sqrt(share)
    step = (MAX_DOT - MIN_DOT) / (SIZE_STEPS - 1)
    return MIN_DOT + np.round((sizes - MIN_DOT) / step) * step


def paint_accounts(frame: Frame, project: Project, scene: MapScene) -> int:
    """Draw the accounts in view, one ``drawPoints`` per colour and size."""
    style = frame.style
    shown = scene.accounts.visible(frame.world_bounds)
    if not len(shown):
        return 0
    base = QColor(style.account_color)
    if style.account_colors is not None:
        classes = np.asarray(style.account_colors.classes)[shown]
        palette = [*style.account_colors.colors, NO_DATA_COLOR]
        color_index = np.where(classes < 0, len(palette) - 1, classes)
    else:
        palette, color_index = [style.account_color], np.zeros(len(shown), dtype=np.intp)
    sizes = account_sizes(project, style.account_size_column, style.account_size)[shown]
    painter = frame.painter
    painter.setTransform(frame.world)
    calls = 0
    # Group by (colour, size): a handful of calls however many accounts there are.
    key = color_index * (SIZE_STEPS + 1) + np.searchsorted(np.unique(sizes), sizes)
    order = np.argsort(key, kind="stable")
    xy = scene.accounts.xy_all
    for group in np.split(order, np.flatnonzero(np.diff(key[order])) + 1):
        color = QColor(palette[int(color_index[group[0]])])
        if style.account_colors is not None:
            color.setAlpha(base.alpha())  # dense clusters stay readable
        size = float(sizes[group[0]])
        cap = Qt.PenCapStyle.RoundCap if size >= ROUND_FROM else Qt.PenCapStyle.SquareCap
        painter.setPen(_pen(color, size, cap))
        painter.drawPoints(polygon_from_xy(xy[shown[group]]))
        calls += 1
    painter.setTransform(frame.base)
    return calls


def home_points(frame: Frame, project: Project, scene: MapScene) -> list[tuple[QPointF, int]]:
    """Screen point and territory index of every rep home in the repainted area."""
    homes = [(i, t.home) for i, t in enumerate(project.territories) if t.home is not None]
    if not homes:
        return []
    lon = np.array([h[1][0] for h in homes])
    lat = np.array([h[1][1] for h in homes])
    xs, ys = scene.projection.to_display(lon, lat)
    radius = frame.style.home_size / 2
    area = frame.area.adjusted(-radius, -radius, radius, radius)
    points = []
    for (index, _home), x, y in zip(homes, np.atleast_1d(xs), np.atleast_1d(ys), strict=True):
        sx, sy = frame.viewport.world_to_screen(float(x), float(y))
        if area.contains(QPointF(sx, sy)):
            points.append((QPointF(sx, sy), index))
    return points


def paint_homes(frame: Frame, project: Project, homes: list[tuple[QPointF, int]]) -> int:
    """A white-ringed disc in the rep's colour per home: reads as "home", apart from
    account dots."""
    style = frame.style
    painter = frame.painter
    radius = style.home_size / 2
    outline = _pen(QColor(style.home_border), 1.2, Qt.PenCapStyle.FlatCap)
    fill = QBrush(QColor(style.home_fill))
    territories = project.territories
    for at, index in homes:
        painter.setPen(outline)
        painter.setBrush(fill)
        painter.drawEllipse(at, radius, radius)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(territories[index].color)))
        painter.drawEllipse(at, radius * 0.55, radius * 0.55)
    return 2 * len(homes)


def _pen(color: QColor, width: float, cap: Qt.PenCapStyle) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    pen.setCapStyle(cap)
    return pen
