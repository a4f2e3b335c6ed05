"""The bundled icons load by name and draw something at toolbar sizes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QIcon, QImage

from terrmap.resources import resource_path
from terrmap.ui.icons import ICON_NAMES, icon, icon_path


def opaque_pixels(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return sum(
        image.pixelColor(x, y).alpha() > 64
        for y in range(image.height())
        for x in range(image.width())
    )


@pytest.mark.parametrize("name", ICON_NAMES)
@pytest.mark.parametrize("size", [16, 24])
def test_every_icon_draws_at_toolbar_sizes(qapp, name: str, size: int) -> None:
    image = icon(name).pixmap(size, size).toImage()
    assert (image.width(), image.height()) == (size, size)
    drawn = opaque_pixels(image)
    # Not blank, and not a filled square either (a broken SVG can render as one).
    assert size * 2 < drawn < size * size * 0.75


def test_icons_are_cached(qapp) -> None:
    assert icon("pan").cacheKey() == icon("pan").cacheKey()


def test_unknown_name_raises_with_close_names(qapp) -> None:
    with pytest.raises(KeyError, match=r"no icon named 'zoom_in'; did you mean zoom-in"):
        icon("zoom_in")


def test_icon_folder_holds_exactly_the_named_icons() -> None:
    files = {path.stem for path in resource_path("icons").glob("*.svg")}
    assert files == set(ICON_NAMES)


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icons_follow_the_house_style(name: str) -> None:
    root = ET.parse(icon_path(name)).getroot()
    assert root.get("viewBox") == "0 0 24 24"
    group = root.find("{http://www.w3.org/2000/svg}g")
    assert group is not None
    assert group.get("stroke") == "#3A4450"
    assert group.get("stroke-width") == "2"
    assert group.get("fill") == "none"
    colours = {
        element.get(attribute)
        for element in root.iter()
        for attribute in ("stroke", "fill")
        if element.get(attribute) not in (None, "none")
    }
    assert colours <= {"#3A4450", "#4477AA"}


def test_disabled_icons_are_generated_by_qt(qapp) -> None:
    image = icon("save").pixmap(24, 24, QIcon.Mode.Disabled).toImage()
    assert opaque_pixels(image) > 0
