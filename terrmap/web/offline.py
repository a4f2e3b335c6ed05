"""Make a folium page self-contained: Leaflet and markercluster inlined, CDN links dropped.

folium links Leaflet, jQuery, Bootstrap, Font Awesome and the plugins it uses from CDNs, so
without a network its page stays blank. The offline page instead carries the files bundled
in ``resources/web`` (read at run time, never downloaded) and drops every other link; the
web map uses nothing that needs jQuery or Bootstrap.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from functools import cache

from branca.element import Element, Figure

from terrmap.resources import resource_path

LEAFLET_VERSION = "1.9.4"
MARKERCLUSTER_VERSION = "1.5.3"

_CSS_FILES = (
    ("leaflet", "leaflet.css"),
    ("leaflet.markercluster", "MarkerCluster.css"),
    ("leaflet.markercluster", "MarkerCluster.Default.css"),
)
_JS_FILES = (
    ("leaflet", "leaflet.js"),
    ("leaflet.markercluster", "leaflet.markercluster.js"),
)
_SOURCE_MAP = re.compile(r"^\s*(//|/\*)# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)""")
# Tags whose attributes the browser fetches by itself, and their attributes.
_FETCHING_TAG = re.compile(
    r"<(script|img|iframe|frame|source|link|audio|video|embed|object|input|track)\b([^>]*)>",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


@cache
def offline_assets_html() -> str:
    """``<style>`` and ``<script>`` blocks holding Leaflet and markercluster, for ``<head>``.

    Raises
    ------
    FileNotFoundError
        The bundled files are missing (a broken installation).
    """
    parts = []
    for folder, name in _CSS_FILES:
        css = _inline_css_images(_read(folder, name), folder)
        parts.append(f"<style>/* {folder}/{name} */\n{css}\n</style>")
    for folder, name in _JS_FILES:
        js = _SOURCE_MAP.sub("", _read(folder, name))
        lowered = js.lower()
        if "</script" in lowered or "<!--" in lowered:  # would end the inline block early
            raise ValueError(f"resources/web/{folder}/{name} cannot be inlined in <script>")
        parts.append(f"<script>/* {folder}/{name} */\n{js}\n</script>")
    return "\n".join(parts)


def strip_cdn_links(root: Element) -> None:
    """Stop every element under ``root`` from linking its CDN scripts and stylesheets.

    folium's elements add their ``default_js`` / ``default_css`` links to the page head
    when rendered; an empty list on the instance (the class keeps its own) adds none.
    """
    for element in _walk(root):
        if hasattr(element, "default_js"):
            element.default_js = []
        if hasattr(element, "default_css"):
            element.default_css = []


class RawElement(Element):
    """Markup written into the page as it is.

    A plain branca ``Element(text)`` compiles ``text`` as a Jinja template: slow for a
    150 kB script, and ``{{ ... }}`` in data (a territory named ``{{ 7*7 }}``) would be
    evaluated.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


def make_offline(figure: Figure) -> None:
    """Drop the CDN links of everything in ``figure`` and inline the bundled files."""
    strip_cdn_links(figure)
    figure.header.add_child(RawElement(offline_assets_html()), name="terrmap_offline_assets")


def network_references(html: str) -> list[str]:
    """Every URL in ``html`` that a browser would fetch on its own (``http(s)://`` or ``//``).

    Looks at ``src``/``srcset``/``data`` of scripts, images, frames and media, ``href`` of
    ``<link>``, and CSS ``url(...)`` and ``@import`` anywhere in the page. ``data:`` URIs
    and fragments are local; ``<a href>`` links are only followed when clicked.
    """
    found = []
    for tag in _FETCHING_TAG.finditer(html):
        wanted = {"href"} if tag.group(1).lower() == "link" else {"src", "srcset", "data"}
        for attr in _ATTRIBUTE.finditer(tag.group(2)):
            name, value = attr.group(1).lower(), attr.group(2) or attr.group(3) or attr.group(4)
            if name == "srcset" and value:
                found += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name in wanted and value:
                found.append(value)
    found += [m.group(2) for m in _CSS_URL.finditer(html)]
    found += _CSS_IMPORT.findall(html)
    return [url for url in found if _is_remote(url)]


def _is_remote(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//", "ftp://"))


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)
    if isinstance(element, Figure):
        for part in (element.header, element.html, element.script):
            yield from _walk(part)


def _read(folder: str, name: str) -> str:
    return resource_path("web", folder, name).read_text(encoding="utf-8")


def _inline_css_images(css: str, folder: str) -> str:
    """``url(images/x.png)`` → ``url("data:image/png;base64,...")``; other urls stay."""

    def replace(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith(("data:", "#")) or _is_remote(target):
            return match.group(0)
        path = resource_path("web", folder, *target.split("/"))
        if path.suffix.lower() != ".png" or not path.is_file():
            raise FileNotFoundError(f"resources/web/{folder}: {target} is not bundled")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{data}")'

    return _CSS_URL.sub(replace, css)
