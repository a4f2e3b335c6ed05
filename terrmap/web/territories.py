"""The territory table the page's script reads: colours, labels and popups with totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from branca.element import MacroElement
from jinja2 import Template

from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.web.escape import html_text, js_json

if TYPE_CHECKING:
    import pandas as pd

    from terrmap.core.project import Project


def territory_totals(
    project: Project, metrics: Sequence[str] | None
) -> tuple[pd.DataFrame, list[str]]:
    from terrmap.core.metrics import report_metrics

    live, chosen = report_metrics(project, metrics)
    return live.frame(), chosen


def territory_table(project: Project, totals: pd.DataFrame, metrics: list[str]) -> list[dict]:
    """Row 0 unassigned, row i + 1 territory i: colour and ready-escaped HTML snippets."""
    rows = [
        {
            "color": UNASSIGNED_COLOR,
            "label": "<i>Unassigned</i>",
            "popup": _popup_html("Unassigned", "", totals.iloc[-1], metrics),
        }
    ]
    for territory in project.territories:
        rep = territory.owner or "vacant"
        rows.append(
            {
                "color": territory.color,
                "label": f"<b>{html_text(territory.name)}</b> · {html_text(rep)}",
                "popup": _popup_html(
                    territory.name,
                    territory.owner or "(vacant)",
                    totals.loc[territory.id],
                    metrics,
                    territory.id,
                ),
            }
        )
    return rows


def _popup_html(
    name: str, rep: str, row: pd.Series, metrics: list[str], territory_id: str = ""
) -> str:
    lines = [("Rep", html_text(rep))] if rep else []
    if territory_id:
        lines.append(("Territory id", html_text(territory_id)))
    lines += [
        ("Units", _number(row["units"])),
        ("Accounts", _number(row["accounts"])),
        ("Area", f"{float(row['area_km2']):,.0f} km²"),
    ]
    lines += [(html_text(m), _number(row[m])) for m in metrics]
    cells = "".join(
        f'<tr><th style="text-align:left;padding-right:10px">{k}</th>'
        f'<td style="text-align:right">{v}</td></tr>'
        for k, v in lines
    )
    return f'<div class="terrmap-popup"><b>{html_text(name)}</b><table>{cells}</table></div>'


def _number(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"


class JsonScript(MacroElement):
    """``var NAME = <json>;`` in the page's script, before the layers that read it."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.json }};{% endmacro %}"
    )

    def __init__(self, data: object, name: str) -> None:
        super().__init__()
        self._name = name
        self.json = js_json(data)
