"""Text from the data made safe for the page: HTML, JavaScript template literals and Jinja.

See `terrmap.web.webmap` for why each escape is needed.
"""

from __future__ import annotations

import html
import json


def html_text(value: object) -> str:
    """``value`` as text that is safe in HTML, in a JavaScript template literal and in Jinja.

    ``html.escape`` covers ``& < > " '``. Backticks, ``$`` and backslashes are escaped too
    because folium writes tooltip text into a JavaScript template literal, and ``{`` because branca
    compiles every element's rendered script as a Jinja template once more: a name holding
    ``{{ ... }}`` would be evaluated (with access to Python objects) while the page is made.
    """
    text = html.escape("" if value is None else str(value), quote=True)
    for char, entity in _EXTRA_ENTITIES:
        text = text.replace(char, entity)
    return text


_EXTRA_ENTITIES = (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;"), ("{", "&#123;"))


def js_json(data: object) -> str:
    """``data`` as JSON that cannot end the ``<script>`` it is in nor open a Jinja tag."""
    return script_safe(json.dumps(data, ensure_ascii=True, separators=(",", ":")))


def script_safe(json_text: str) -> str:
    # "{{", "{%" and "{#" only occur inside JSON strings, where \u escapes mean the same.
    for raw, escaped in _SCRIPT_ESCAPES:
        json_text = json_text.replace(raw, escaped)
    return json_text


_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("'", "\\u0027"),
    ("{{", "{\\u007b"),
    ("{%", "{\\u0025"),
    ("{#", "{\\u0023"),
)
