"""The project as a web page to open in any browser (folium / Leaflet; no Qt).

`write_web_map` writes it; ``offline=True`` makes a page that needs no network at all.
"""

from __future__ import annotations

from terrmap.web.webmap import web_map_html, write_web_map

__all__ = ["web_map_html", "write_web_map"]
