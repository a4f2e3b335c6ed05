"""Readers for the web map page, shared by the web and CLI tests.

They read the page the way a browser would (an HTML parser, JSON), independently of the
code in `terrmap.web` that wrote it.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetches: list[tuple[str, str]] = []  # (tag, url) the browser loads by itself
        self.data_blocks: dict[str, str] = {}
        self._block: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.fetches.append((tag, values["src"]))
        if tag == "link" and values.get("href"):
            self.fetches.append((tag, values["href"]))
        if tag == "script" and "data-terrmap-layer" in values:
            self._block = values["data-terrmap-layer"]

    def handle_data(self, data: str) -> None:
        if self._block is not None:
            self.data_blocks[self._block] = self.data_blocks.get(self._block, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._block = None


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def layer_features(html: str, key: str = "units") -> list[dict[str, Any]]:
    """The GeoJSON features of the page's data block ``data-terrmap-layer=KEY``."""
    blocks = parse_page(html).data_blocks
    assert key in blocks, f"no {key!r} layer in the page; it has {sorted(blocks)}"
    collection = json.loads(blocks[key])
    assert collection["type"] == "FeatureCollection"
    return collection["features"]


def territory_table(html: str) -> list[dict[str, str]]:
    """The page's territory table: row 0 unassigned, then one row per territory."""
    match = re.search(r"var terrmap_territories_\w+ = (\[.*?\]);\n", html)
    assert match, "no territory table in the page"
    return json.loads(match.group(1))


def cluster_rows(html: str) -> list[list[Any]]:
    """The account rows handed to the marker cluster: [lat, lon, table row, label html]."""
    match = re.search(r"var data = (\[.*?\]);\n", html)
    assert match, "no account cluster in the page"
    return json.loads(match.group(1))


def remote_fetches(html: str) -> list[str]:
    """URLs the browser would fetch by itself: script/img/iframe src, link href, CSS url()."""
    urls = [url for _tag, url in parse_page(html).fetches]
    urls += re.findall(r"""url\(\s*['"]?([^'")]+)""", html)
    urls += re.findall(r"""@import\s+['"]([^'"]+)""", html)
    return [u for u in urls if re.match(r"\s*(https?:)?//", u, re.IGNORECASE)]


def layer_names(html: str) -> list[str]:
    """The overlay names of the page's layer control, as Leaflet receives them."""
    match = re.search(r"overlays\s*:\s*\{(.*?)\},\s*\};", html, re.DOTALL)
    assert match, "no layer control in the page"
    return [json.loads(key) for key in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', match.group(1))]


def unit_fill_opacity(html: str) -> float:
    """The ``fillOpacity`` the units layer's style function gives every unit."""
    block = re.search(
        r'<script type="application/geo\+json" id="(\w+)" data-terrmap-layer="units"', html
    )
    assert block, "no units layer in the page"
    style = re.search(
        rf"getElementById\(\"{block.group(1)}\"\)\.textContent\),\s*\{{style: function "
        r"\(feature\) \{\s*return \{[^}]*?fillOpacity: ([0-9.eE+-]+)[,}]",
        html,
    )
    assert style, "no style function on the units layer"
    return float(style.group(1))


def polylines(html: str) -> list[dict[str, Any]]:
    """The page's ``L.polyline`` calls in page order: ``path``, ``options`` and ``layer``."""
    lines = re.findall(
        r"L\.polyline\(\s*(\[.*?\]),\s*(\{.*?\})\s*\)\.addTo\((\w+)\)", html, re.DOTALL
    )
    return [
        {"path": json.loads(path), "options": json.loads(options), "layer": layer}
        for path, options, layer in lines
    ]


def layer_variables(html: str) -> dict[str, str]:
    """The layer control's overlays: name -> the script variable of the layer."""
    match = re.search(r"overlays\s*:\s*\{(.*?)\},\s*\};", html, re.DOTALL)
    assert match, "no layer control in the page"
    pairs = re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*(\w+)', match.group(1))
    return {json.loads(name): variable for name, variable in pairs}
